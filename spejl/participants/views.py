"""Participant pages: the coordinator's view of a person, the waitlist and pipeline, and the
participant's own pages behind secure links (no login, ever)."""

from __future__ import annotations

import json
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from spejl.access.actor import NotFound, get_actor
from spejl.access.decorators import staff_required
from spejl.accounts.reauth import reauthentication_required
from spejl.enrolments import services as enrolment_services
from spejl.enrolments.models import DropReason, EnrolmentState
from spejl.groups import calendars
from spejl.groups.models import Meeting, MeetingStatus, PeerGroup
from spejl.links.models import LinkPurpose, SecureLink
from spejl.links.services import LinkInvalid, link_resolve
from spejl.participants import erasure, selectors, services
from spejl.participants.export import participant_data, readable_sections
from spejl.participants.models import Participant


class OfferForm(forms.Form):
    group = forms.ModelChoiceField(
        label=gettext_lazy("Group"),
        queryset=PeerGroup.objects.none(),
        empty_label=gettext_lazy("Choose a group"),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Days to answer"), min_value=1, max_value=30, initial=7
    )


class EraseForm(forms.Form):
    """Confirming an erasure: why, and the participant's code typed as a deliberate act."""

    reason = forms.ChoiceField(
        label=gettext_lazy("Why"),
        choices=[(k, v) for k, v in erasure.REASONS.items() if k != "retention"],
        widget=forms.RadioSelect,
    )
    code = forms.CharField(
        label=gettext_lazy("Type the participant's code to confirm"),
        max_length=20,
        help_text=gettext_lazy("For example SP-7K3M-Q9XW. Erasure cannot be undone."),
    )

    def __init__(self, *args: object, expected_code: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.expected_code = expected_code

    def clean_code(self) -> str:
        typed = "".join(str(self.cleaned_data["code"]).split()).upper()
        if typed != self.expected_code.upper():
            raise ValidationError(
                _("That is not this participant's code. Nothing has been erased."),
                code="code_mismatch",
            )
        return typed


class DropForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=DropReason.choices)
    note = forms.CharField(
        label=gettext_lazy("Note (kept out of exports)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- coordinators ---------------------------------------------------------------------------


@staff_required
def participant_detail(request: HttpRequest, participant_id: str) -> HttpResponse:
    actor = get_actor(request)
    participant = selectors.participant_get_for_actor(
        actor=actor, public_id=participant_id, purpose="participant page"
    )
    enrolments = list(
        participant.enrolments.select_related("group")
        .prefetch_related("transitions")
        .order_by("-waitlisted_at")
    )
    return render(
        request,
        "participants/participant_detail.html",
        {
            "participant": participant,
            "contact": getattr(participant, "contact", None),
            "enrolments": enrolments,
            "intakes": list(participant.intakes.order_by("-scheduled_at")),
            "can_offer": any(
                e.state in (EnrolmentState.WAITLISTED, EnrolmentState.EXPIRED) for e in enrolments
            ),
            "states": EnrolmentState,
            "erasure_requested_at": erasure.erasure_requested_at(participant=participant),
        },
    )


@staff_required
def participant_offer(request: HttpRequest, participant_id: str) -> HttpResponse:
    actor = get_actor(request)
    participant = selectors.participant_get_for_actor(
        actor=actor, public_id=participant_id, purpose="offer a place"
    )
    enrolment = participant.enrolments.filter(
        state__in=(EnrolmentState.WAITLISTED, EnrolmentState.EXPIRED)
    ).first()
    if enrolment is None:
        messages.error(request, _("The person is not waiting for a place."))
        return redirect("participants:detail", participant_id=participant.public_id)
    groups = selectors.groups_with_free_seats(actor=actor, participant=participant)
    form = OfferForm(request.POST or None, initial={"group": enrolment.group_id})
    group_field = form.fields["group"]
    assert isinstance(group_field, forms.ModelChoiceField)
    group_field.queryset = PeerGroup.objects.filter(pk__in=[g.pk for g in groups])
    if request.method == "POST" and form.is_valid():
        try:
            enrolment_services.enrolment_offer(
                actor=actor,
                enrolment=enrolment,
                group=form.cleaned_data["group"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The offer was sent."))
            return redirect("participants:detail", participant_id=participant.public_id)
    return render(
        request,
        "participants/offer.html",
        {"participant": participant, "form": form, "groups": groups},
    )


@staff_required
def enrolment_drop(request: HttpRequest, participant_id: str, enrolment_id: str) -> HttpResponse:
    actor = get_actor(request)
    participant = selectors.participant_get_for_actor(
        actor=actor, public_id=participant_id, purpose="record dropping out"
    )
    enrolment = selectors.enrolment_get(participant=participant, public_id=enrolment_id)
    form = DropForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment_services.enrolment_drop(
                actor=actor,
                enrolment=enrolment,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("participants:detail", participant_id=participant.public_id)
    return render(
        request,
        "participants/drop.html",
        {"participant": participant, "enrolment": enrolment, "form": form},
    )


@staff_required
@require_POST
def enrolment_action(
    request: HttpRequest, participant_id: str, enrolment_id: str, action: str
) -> HttpResponse:
    """Put back on the waitlist, accept or decline on the participant's behalf."""
    actor = get_actor(request)
    participant = selectors.participant_get_for_actor(
        actor=actor, public_id=participant_id, purpose="change a place"
    )
    enrolment = selectors.enrolment_get(participant=participant, public_id=enrolment_id)
    try:
        if action == "waitlist":
            enrolment_services.enrolment_return_to_waitlist(actor=actor, enrolment=enrolment)
        elif action == "accept":
            enrolment_services.enrolment_accept(actor=actor, enrolment=enrolment)
        elif action == "decline":
            enrolment_services.enrolment_decline(
                actor=actor, enrolment=enrolment, reason="declined on the phone"
            )
        else:
            raise NotFound
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Saved."))
    return redirect("participants:detail", participant_id=participant.public_id)


@staff_required
@require_POST
def participant_send_link(request: HttpRequest, participant_id: str) -> HttpResponse:
    actor = get_actor(request)
    participant = selectors.participant_get_for_actor(
        actor=actor, public_id=participant_id, purpose="send page link"
    )
    services.participant_send_page_link(actor=actor, participant=participant)
    messages.success(request, _("A link to their own page is on its way to the participant."))
    return redirect("participants:detail", participant_id=participant.public_id)


@staff_required
def participant_data_view(request: HttpRequest, participant_id: str) -> HttpResponse:
    actor = get_actor(request)
    participant = selectors.participant_get_for_actor(
        actor=actor, public_id=participant_id, purpose="access request (art. 15)"
    )
    return _data_response(request, participant, json_format=request.GET.get("format") == "json")


@staff_required
def participant_erase(request: HttpRequest, participant_id: str) -> HttpResponse:
    """The erasure confirmation page (GET) and the erasure itself (POST, with the code typed
    and a recent login or re-authentication). Others' participants are 404 before anything
    else is asked."""
    actor = get_actor(request)
    participant = selectors.participant_get_for_actor(
        actor=actor, public_id=participant_id, purpose="erasure (art. 17)"
    )
    return _erase_confirmed(request, participant)


@reauthentication_required(allow_get=True)
def _erase_confirmed(request: HttpRequest, participant: Participant) -> HttpResponse:
    actor = get_actor(request)
    plan = erasure.erasure_plan(actor=actor, participant=participant)
    form = EraseForm(request.POST or None, expected_code=participant.code)
    if request.method == "POST" and form.is_valid():
        result = erasure.participant_erase(
            actor=actor, participant=participant, reason=form.cleaned_data["reason"]
        )
        # Rendered, not redirected: without research data the participant no longer exists.
        return render(
            request,
            "participants/erased.html",
            {"result": result, "code": plan.code, "plan": plan},
        )
    return render(
        request,
        "participants/erase.html",
        {
            "participant": participant,
            "contact": getattr(participant, "contact", None),
            "plan": plan,
            "form": form,
            "requested_at": erasure.erasure_requested_at(participant=participant),
        },
    )


@staff_required
def waitlist(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    return render(
        request,
        "participants/waitlist.html",
        {
            "rows": selectors.waitlist_for_actor(actor=actor),
            "offers": list(selectors.open_offers_for_actor(actor=actor)),
            "now": timezone.now(),
        },
    )


@staff_required
def pipeline(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    from spejl.enquiries.selectors import enquiry_counts_for_actor
    from spejl.intake.selectors import intake_counts_for_actor

    return render(
        request,
        "participants/pipeline.html",
        {
            "funnel": selectors.funnel_for_actor(actor=actor),
            "counts": selectors.pipeline_counts_for_actor(actor=actor),
            "enquiries": enquiry_counts_for_actor(actor=actor),
            "intakes": intake_counts_for_actor(actor=actor),
        },
    )


# --- participants, through their own links -------------------------------------------------


def _link_error(request: HttpRequest, error: LinkInvalid) -> HttpResponse:
    status = {"expired": 410, "used": 410, "throttled": 429}.get(error.reason, 404)
    return render(request, "participants/link_invalid.html", {"error": error}, status=status)


def _page_link(request: HttpRequest, token: str) -> SecureLink:
    return link_resolve(token=token, purpose=LinkPurpose.PARTICIPANT_PAGE, request=request)


@never_cache
def participant_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = _page_link(request, token)
    except LinkInvalid as error:
        return _link_error(request, error)
    participant = selectors.participant_for_own_page(link=link, purpose="participant's own page")
    now = timezone.now()
    enrolment = (
        participant.enrolments.filter(state=EnrolmentState.ENROLLED)
        .select_related("group__venue__postcode")
        .first()
    )
    meetings = []
    if enrolment is not None and enrolment.group is not None:
        marks = {a.meeting_id: a for a in enrolment.attendances.all()}
        meetings = [
            (m, marks.get(m.pk))
            for m in enrolment.group.meetings.filter(starts_at__gte=now - timedelta(hours=3))
            .select_related("venue__postcode")
            .order_by("starts_at")
        ]
    offer = (
        participant.enrolments.filter(state=EnrolmentState.OFFERED).select_related("group").first()
    )
    from spejl.consents.selectors import consents_for_participant
    from spejl.questionnaires.answering import open_invitation_for

    return render(
        request,
        "participants/page.html",
        {
            "participant": participant,
            "first_name": getattr(getattr(participant, "contact", None), "first_name", ""),
            "enrolment": enrolment,
            "meetings": meetings,
            "offer": offer,
            "token": token,
            "rows": consents_for_participant(participant=participant),
            "now": now,
            "questionnaire": open_invitation_for(participant.pk),
        },
    )


@require_POST
def participant_cannot_come(request: HttpRequest, token: str, meeting_id: str) -> HttpResponse:
    try:
        link = _page_link(request, token)
    except LinkInvalid as error:
        return _link_error(request, error)
    try:
        services.participant_cannot_come(
            participant=link.participant,
            meeting_id=meeting_id,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Thank you. The facilitators have been told."))
    return redirect("participants:page", token=token)


@never_cache
def participant_erase_request(request: HttpRequest, token: str) -> HttpResponse:
    """The participant asks to have their information erased: what it means for them (by
    their consents), then a request to their coordinator (POST)."""
    try:
        link = _page_link(request, token)
    except LinkInvalid as error:
        return _link_error(request, error)
    participant = link.participant
    if request.method == "POST":
        erasure.erasure_request(participant=participant)
        messages.success(
            request,
            _(
                "Thank you. Your coordinator has been asked to erase your information and will "
                "answer you within one month at the latest."
            ),
        )
        return redirect("participants:page", token=token)
    from spejl.consents.models import ConsentPurpose
    from spejl.consents.selectors import consents_for_participant

    evaluation = next(
        row
        for row in consents_for_participant(participant=participant)
        if row.purpose == ConsentPurpose.EVALUATION
    )
    return render(
        request,
        "participants/erase_request.html",
        {
            "token": token,
            "evaluation": evaluation.active,
            "requested_at": erasure.erasure_requested_at(participant=participant),
        },
    )


@never_cache
def participant_calendar(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = _page_link(request, token)
    except LinkInvalid as error:
        return _link_error(request, error)
    meetings = Meeting.objects.filter(
        group__enrolments__participant=link.participant,
        group__enrolments__state=EnrolmentState.ENROLLED,
    ).select_related("group", "venue__postcode")
    body = calendars.render_ics(name="Spejl", meetings=meetings)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="moeder.ics"'
    return response


@never_cache
def participant_own_data(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = _page_link(request, token)
    except LinkInvalid as error:
        return _link_error(request, error)
    return _data_response(
        request,
        selectors.participant_for_own_page(link=link, purpose="participant's own data"),
        json_format=request.GET.get("format") == "json",
        token=token,
    )


def _data_response(
    request: HttpRequest, participant: Participant, *, json_format: bool, token: str | None = None
) -> HttpResponse:
    data = participant_data(participant)
    if json_format:
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="mine-data.json"'
        return response
    return render(
        request,
        "participants/data.html",
        {"sections": readable_sections(data), "token": token, "participant": participant},
    )


@never_cache
def offer_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The participant accepts or declines an offered place."""
    try:
        link = link_resolve(token=token, purpose=LinkPurpose.OFFER, request=request)
    except LinkInvalid as error:
        return _link_error(request, error)
    enrolment = link.enrolment
    if enrolment is None:
        raise NotFound
    group = enrolment.group
    error_message = None
    if request.method == "POST":
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                enrolment_services.enrolment_accept(enrolment=enrolment)
            elif answer == "decline":
                enrolment_services.enrolment_decline(enrolment=enrolment, reason="declined")
            else:
                raise ValidationError(_("Choose yes or no."))
        except ValidationError as exc:
            error_message = exc.messages[0]
        else:
            return redirect("participants:offer", token=token)
    enrolment.refresh_from_db()
    first = (
        group.meetings.exclude(status=MeetingStatus.CANCELLED).order_by("starts_at").first()
        if group
        else None
    )
    return render(
        request,
        "participants/offer_answer.html",
        {
            "enrolment": enrolment,
            "group": group,
            "first_meeting": first,
            "error": error_message,
            "states": EnrolmentState,
        },
    )
