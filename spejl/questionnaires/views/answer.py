"""The participant's questionnaire pages, behind a secure link (no login, ever).

Mobile first and without any need for JavaScript: each page is a form whose "Next" saves
its answers. With JavaScript (``autosave.js``) each click is saved at once as well, so an
answer half-typed on a phone survives a closed browser.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from spejl.links.models import LinkPurpose, SecureLink
from spejl.links.services import LinkInvalid, link_resolve
from spejl.questionnaires.answering import (
    DECLINED,
    Block,
    Session,
    answers_save,
    invitation_submit,
    link_from_own_page,
    session_for,
)


def _link(request: HttpRequest, token: str) -> SecureLink:
    link = link_resolve(token=token, purpose=LinkPurpose.QUESTIONNAIRE, request=request)
    if link.invitation is None:
        raise LinkInvalid("unknown")
    return link


def _link_error(request: HttpRequest, error: LinkInvalid) -> HttpResponse:
    if error.reason == "used":
        # The answers were sent: say thank you again, reveal nothing else.
        return render(request, "questionnaires/already_answered.html")
    status = {"expired": 410, "revoked": 410, "throttled": 429}.get(error.reason, 404)
    return render(request, "questionnaires/link_invalid.html", {"error": error}, status=status)


@never_cache
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link: go to where the participant left off."""
    try:
        link = _link(request, token)
    except LinkInvalid as error:
        return _link_error(request, error)
    assert link.invitation is not None
    session = session_for(link.invitation, purpose="resume")
    if not session.blocks:
        return render(request, "questionnaires/link_invalid.html", {"error": None}, status=404)
    page = session.resume_page()
    if page is None:
        return redirect("questionnaires:review", token=token)
    if page == 1 and not session.answers:
        return render(request, "questionnaires/welcome.html", _context(token, session, None))
    return redirect("questionnaires:page", token=token, page=page)


def _context(token: str, session: Session, number: int | None) -> dict[str, object]:
    answered, total = session.counts
    return {
        "token": token,
        "session": session,
        "invitation": session.invitation,
        "page_count": session.page_count,
        "answered": answered,
        "total": total,
        "number": number,
        "declined_value": DECLINED,
    }


@never_cache
def page(request: HttpRequest, token: str, page: int) -> HttpResponse:
    """One page of questions. POST saves (``autosave`` from the script answers with JSON)."""
    try:
        link = _link(request, token)
    except LinkInvalid as error:
        if request.POST.get("autosave"):
            return JsonResponse({"saved": False, "reason": error.reason}, status=410)
        return _link_error(request, error)
    assert link.invitation is not None
    session = session_for(link.invitation)
    block = session.block(page)
    if block is None:
        return redirect("questionnaires:answer", token=token)
    problems: dict[str, str] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "next")
        autosave = bool(request.POST.get("autosave"))
        posted = {item.code: request.POST.get(item.code, "") for item in block.items}
        posted = {code: value for code, value in posted.items() if code in request.POST}
        try:
            problems = answers_save(
                invitation=link.invitation,
                block=block,
                data=posted,
                require_all=action == "next" and not autosave,
            )
        except ValidationError as error:
            if autosave:
                return JsonResponse({"saved": False}, status=409)
            return render(
                request,
                "questionnaires/link_invalid.html",
                {"error": None, "message": error.messages[0]},
                status=409,
            )
        if autosave:
            return JsonResponse({"saved": not problems}, status=200 if not problems else 400)
        if not problems:
            if action == "back":
                return redirect("questionnaires:page", token=token, page=max(1, page - 1))
            if page >= session.page_count:
                return redirect("questionnaires:review", token=token)
            return redirect("questionnaires:page", token=token, page=page + 1)
        session = session_for(link.invitation, purpose="page with problems")
    context = _context(token, session, page)
    context.update(
        {
            "qblock": block,
            "rows": _rows(session, block, posted, problems),
            "problems": problems,
            "progress_percent": round(100 * (page - 1) / session.page_count),
        }
    )
    return render(request, "questionnaires/page.html", context, status=400 if problems else 200)


def _rows(
    session: Session, block: Block, posted: dict[str, str], problems: dict[str, str]
) -> list[dict[str, object]]:
    rows = []
    for item in block.items:
        saved = session.answers.get(item.code)
        if item.code in posted:
            current = posted[item.code]
        elif saved is None:
            current = ""
        elif saved.declined:
            current = DECLINED
        elif saved.value is not None:
            current = str(saved.value)
        else:
            current = saved.text
        rows.append(
            {
                "item": item,
                "current": current,
                "problem": problems.get(item.code, ""),
                "options": [(str(o.score), o.label) for o in item.options],
            }
        )
    return rows


@never_cache
def review(request: HttpRequest, token: str) -> HttpResponse:
    """The last step: how much is answered, and the button that sends it."""
    try:
        link = _link(request, token)
    except LinkInvalid as error:
        return _link_error(request, error)
    assert link.invitation is not None
    if request.method == "POST":
        invitation_submit(invitation=link.invitation)
        # Sent now or by an earlier click: either way the answers are in, once.
        return redirect("questionnaires:thanks")
    session = session_for(link.invitation, purpose="review")
    unanswered = [
        block.number
        for block in session.blocks
        if any(item.is_choice and not session.is_answered(item) for item in block.items)
    ]
    context = _context(token, session, None)
    context["unanswered_pages"] = unanswered
    return render(request, "questionnaires/review.html", context)


@require_POST
def from_page(request: HttpRequest, token: str) -> HttpResponse:
    """From the participant's own page: open their waiting questionnaire with a fresh link."""
    try:
        link = link_resolve(token=token, purpose=LinkPurpose.PARTICIPANT_PAGE, request=request)
    except LinkInvalid as error:
        return _link_error(request, error)
    questionnaire_token = link_from_own_page(participant_id=link.participant_id)
    if questionnaire_token is None:
        return redirect("participants:page", token=token)
    return redirect("questionnaires:answer", token=questionnaire_token)


def thanks(request: HttpRequest) -> HttpResponse:
    """The warm thank-you after sending (no token: nothing to reveal)."""
    return render(request, "questionnaires/thanks.html")
