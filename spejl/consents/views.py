"""Consent pages: consent texts for staff (national admins edit them), the coordinator's page
for a participant's consents, the participant's own give/withdraw endpoints (secure link, no
account) and a public page per purpose."""

from __future__ import annotations

from urllib.parse import quote
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from spejl.access.actor import get_actor
from spejl.access.decorators import staff_required
from spejl.consents import permissions, policies, selectors, services
from spejl.consents.forms import ConsentTextForm, record_forms
from spejl.consents.models import ConsentMethod, ConsentPurpose, ConsentText, ConsentTextStatus
from spejl.links.models import LinkPurpose, SecureLink
from spejl.links.services import LinkInvalid, link_resolve

# --- Consent texts (staff) -------------------------------------------------------------------


def _to_detail(text: ConsentText) -> HttpResponse:
    return redirect("consents:text_detail", text_id=text.public_id)


@staff_required
def texts(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    return render(
        request,
        "consents/text_list.html",
        {
            "texts": selectors.consent_texts_for_actor(actor=actor),
            "can_manage": permissions.can_manage_consent_texts(actor),
        },
    )


@staff_required
def text_detail(request: HttpRequest, text_id: UUID) -> HttpResponse:
    actor = get_actor(request)
    text = selectors.consent_text_get_for_actor(actor=actor, public_id=str(text_id))
    can_manage = permissions.can_manage_consent_texts(actor)
    open_draft = selectors.consent_text_open_draft(actor=actor, text=text) if can_manage else None
    return render(
        request,
        "consents/text_detail.html",
        {
            "text": text,
            "versions": selectors.consent_text_versions(actor=actor, text=text),
            "can_edit": can_manage and text.status == ConsentTextStatus.DRAFT,
            "can_new_version": can_manage
            and policies.new_version_problem(text, open_draft) is None,
            "open_draft": open_draft,
        },
    )


@staff_required
@require_POST
def text_new_version(request: HttpRequest, text_id: UUID) -> HttpResponse:
    actor = get_actor(request)
    text = selectors.consent_text_get_for_actor(actor=actor, public_id=str(text_id))
    permissions.check_can_manage_consent_text(actor, text)
    try:
        draft = services.consent_text_new_version(actor=actor, text=text)
    except ValidationError as exc:
        # A second click, or a draft already open: go to the draft that exists.
        messages.error(request, exc.messages[0])
        return _to_detail(selectors.consent_text_open_draft(actor=actor, text=text) or text)
    messages.success(request, _("A new draft version was made. Change it and publish it."))
    return redirect("consents:text_edit", text_id=draft.public_id)


@staff_required
def text_edit(request: HttpRequest, text_id: UUID) -> HttpResponse:
    actor = get_actor(request)
    text = selectors.consent_text_get_for_actor(actor=actor, public_id=str(text_id))
    permissions.check_can_manage_consent_text(actor, text)
    problem = policies.edit_problem(text)
    if problem is not None:
        messages.error(request, problem)
        return _to_detail(text)
    form = ConsentTextForm(request.POST or None, initial=ConsentTextForm.initial_for(text))
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_text_update_draft(actor=actor, text=text, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The draft was saved."))
            return _to_detail(text)
    return render(request, "consents/text_form.html", {"text": text, "form": form})


@staff_required
def text_publish(request: HttpRequest, text_id: UUID) -> HttpResponse:
    actor = get_actor(request)
    text = selectors.consent_text_get_for_actor(actor=actor, public_id=str(text_id))
    permissions.check_can_manage_consent_text(actor, text)
    problems = selectors.consent_text_publish_problems(text=text)
    if request.method == "POST":
        try:
            services.consent_text_publish(actor=actor, text=text)
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(request, _("The consent text was published."))
            return _to_detail(text)
    return render(
        request,
        "consents/text_publish.html",
        {
            "text": text,
            "problems": problems,
            "current_published": selectors.current_text(purpose=text.purpose),
        },
    )


# --- Public ----------------------------------------------------------------------------------


def public_text(request: HttpRequest, purpose: str) -> HttpResponse:
    """The current text of one purpose, for anyone to read before an intake."""
    texts = selectors.current_texts()
    text = texts.get(purpose)
    if text is None:
        raise Http404
    return render(
        request,
        "consents/public_text.html",
        {
            "text": text,
            "others": [t for p, t in sorted(texts.items()) if p != purpose],
        },
    )


# --- The coordinator's page for one participant ----------------------------------------------


@staff_required
def record(request: HttpRequest, participant_id: UUID) -> HttpResponse:
    actor = get_actor(request)
    participant = selectors.participant_for_consents(actor=actor, public_id=str(participant_id))
    action = None
    if request.method == "POST":
        action = request.POST.get("action")
        action = action if action in ("give", "withdraw") else "give"
    give_form, withdraw_form = record_forms(request.POST or None, action=action)
    if action == "give" and give_form.is_valid():
        purpose = give_form.cleaned_data["purpose"]
        label = ConsentPurpose(purpose).label
        was_active = selectors.consent_active(participant=participant, purpose=purpose)
        try:
            services.consent_give(
                actor=actor,
                participant=participant,
                purpose=purpose,
                method=give_form.cleaned_data["method"],
                given_at=give_form.given_at(),
            )
        except ValidationError as exc:
            give_form.add_error(None, exc)
        else:
            if was_active:
                messages.warning(
                    request,
                    _("Consent to “%(purpose)s” was already recorded; nothing was changed.")
                    % {"purpose": label},
                )
            else:
                messages.success(
                    request, _("Consent to “%(purpose)s” was recorded.") % {"purpose": label}
                )
            return redirect("consents:record", participant_id=participant.public_id)
    if action == "withdraw" and withdraw_form.is_valid():
        purpose = withdraw_form.cleaned_data["purpose"]
        label = ConsentPurpose(purpose).label
        withdrawn = services.consent_withdraw(
            actor=actor,
            participant=participant,
            purpose=purpose,
            method=withdraw_form.cleaned_data["method"],
        )
        if withdrawn is None:
            messages.warning(
                request,
                _("There was no consent to “%(purpose)s” to withdraw; nothing was changed.")
                % {"purpose": label},
            )
        else:
            messages.success(
                request,
                _("The withdrawal of consent to “%(purpose)s” was recorded. It applies at once.")
                % {"purpose": label},
            )
        return redirect("consents:record", participant_id=participant.public_id)
    contact = getattr(participant, "contact", None)
    return render(
        request,
        "consents/record.html",
        {
            "participant": participant,
            "name": " ".join(filter(None, [contact.first_name, contact.last_name]))
            if contact
            else "",
            "rows": selectors.consents_for_participant(participant=participant),
            "give_form": give_form,
            "withdraw_form": withdraw_form,
        },
    )


# --- The participant, through their own secure link ------------------------------------------

#: The HTTP status of the kind page for each reason a link does not work. Unknown and revoked
#: links answer alike, so a link reveals nothing about whether a participant exists.
LINK_STATUS = {"unknown": 404, "revoked": 404, "expired": 410, "used": 410, "throttled": 429}


def participant_page_url(token: str) -> str:
    """The participant's own page (``participants:page``), at its consents section."""
    try:
        url = reverse("participants:page", kwargs={"token": token})
    except NoReverseMatch:
        # The participant's page is the integrator's (``/p/<token>/``); until it is mounted,
        # point at the same address.
        url = f"/p/{quote(token, safe='')}/"
    return f"{url}#consents"


def _resolve(request: HttpRequest, token: str) -> SecureLink | HttpResponse:
    """The participant's page link, or the kind page saying why it does not work."""
    try:
        return link_resolve(token=token, purpose=LinkPurpose.PARTICIPANT_PAGE, request=request)
    except LinkInvalid as exc:
        return render(
            request,
            "consents/link_invalid.html",
            {"message": exc.message, "reason": exc.reason},
            status=LINK_STATUS.get(exc.reason, 404),
        )


def _purpose_or_404(purpose: str) -> str:
    if purpose not in ConsentPurpose.values:
        raise Http404
    return purpose


@never_cache
@require_POST
def participant_give(request: HttpRequest, token: str, purpose: str) -> HttpResponse:
    link = _resolve(request, token)
    if isinstance(link, HttpResponse):
        return link
    purpose = _purpose_or_404(purpose)
    try:
        services.consent_give(
            actor=None,
            participant=link.participant,
            purpose=purpose,
            method=ConsentMethod.DIGITAL,
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _("Thank you. Your consent is recorded. You can withdraw it at any time, here."),
        )
    return redirect(participant_page_url(token))


@never_cache
@require_http_methods(["GET", "POST"])
def participant_withdraw(request: HttpRequest, token: str, purpose: str) -> HttpResponse:
    """GET (or a POST without ``confirm``) asks "are you sure?" and says what will happen;
    a POST with ``confirm`` withdraws."""
    link = _resolve(request, token)
    if isinstance(link, HttpResponse):
        return link
    purpose = _purpose_or_404(purpose)
    back = participant_page_url(token)
    if request.method == "POST" and request.POST.get("confirm"):
        withdrawn = services.consent_withdraw(
            actor=None,
            participant=link.participant,
            purpose=purpose,
            method=ConsentMethod.DIGITAL,
        )
        if withdrawn is not None:
            messages.success(request, _("Your consent has been withdrawn. It applies at once."))
        else:
            messages.warning(request, _("You had not given this consent, so nothing changed."))
        return redirect(back)
    if not selectors.consent_active(participant=link.participant, purpose=purpose):
        messages.warning(
            request, _("You have not given this consent, so there is nothing to withdraw.")
        )
        return redirect(back)
    return render(
        request,
        "consents/participant_withdraw.html",
        {
            "purpose": purpose,
            "purpose_label": ConsentPurpose(purpose).label,
            "consequences": policies.withdrawal_consequences(purpose),
            "back_url": back,
        },
    )
