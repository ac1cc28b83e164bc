"""Placement proposals: ask, review group by group, lock or forbid, solve again, approve;
and the pairs (together / apart) the optimiser respects."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from spejl.access.actor import NotFound, get_actor
from spejl.access.decorators import staff_required
from spejl.enrolments.models import Enrolment
from spejl.formation import selectors, services
from spejl.formation.forms import ApproveForm, PairForm, ProposalForm
from spejl.formation.models import PlacementPair, ProposalStatus
from spejl.formation.permissions import can_use_proposals
from spejl.groups.models import PeerGroup
from spejl.organisations.models import Organisation
from spejl.participants.models import Participant
from spejl.web.forms import attach_service_errors


def _organisations(request: HttpRequest) -> QuerySet[Organisation]:
    actor = get_actor(request)
    if actor.is_national_admin:
        return Organisation.objects.filter(kind="member", is_active=True).order_by("name")
    return Organisation.objects.filter(pk__in=actor.coordinator_of).order_by("name")


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


@staff_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not can_use_proposals(actor):
        raise NotFound
    form = ProposalForm(request.POST or None, organisations=_organisations(request))
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(
                actor=actor,
                organisations=list(form.cleaned_data["organisations"]),
                time_limit=float(form.cleaned_data["time_limit"]),
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            return redirect("formation:detail", proposal_id=proposal.public_id)
    return render(
        request,
        "formation/proposal_list.html",
        {"form": form, "proposals": selectors.proposals_for_actor(actor=actor)},
        status=400 if form.errors else 200,
    )


@staff_required
def proposal_detail(request: HttpRequest, proposal_id: str) -> HttpResponse:
    actor = get_actor(request)
    proposal = selectors.proposal_get_for_actor(actor=actor, public_id=proposal_id)
    return render(
        request,
        "formation/proposal_detail.html",
        {
            "review": selectors.proposal_review(actor=actor, proposal=proposal),
            "proposal": proposal,
            "is_draft": proposal.status == ProposalStatus.DRAFT,
            "approve_form": ApproveForm(),
        },
    )


@staff_required
@require_POST
def proposal_decide(request: HttpRequest, proposal_id: str) -> HttpResponse:
    actor = get_actor(request)
    proposal = selectors.proposal_get_for_actor(actor=actor, public_id=proposal_id)
    organisations = proposal.organisations.all()
    enrolment_id, group_id = _uuid(request.POST.get("enrolment")), _uuid(request.POST.get("group"))
    enrolment = (
        Enrolment.objects.filter(public_id=enrolment_id, organisation__in=organisations).first()
        if enrolment_id
        else None
    )
    group = (
        PeerGroup.objects.filter(public_id=group_id, organisation__in=organisations).first()
        if group_id
        else None
    )
    kind = request.POST.get("kind") or None
    if enrolment is None or group is None or kind not in (None, "lock", "forbid"):
        messages.error(request, _("Choose a person and a group from the proposal."))
        return redirect("formation:detail", proposal_id=proposal.public_id)
    try:
        services.proposal_decide(
            actor=actor, proposal=proposal, enrolment=enrolment, group_id=group.pk, kind=kind
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect(f"{proposal.get_absolute_url()}#p-{enrolment.public_id}")


@staff_required
@require_POST
def proposal_resolve(request: HttpRequest, proposal_id: str) -> HttpResponse:
    actor = get_actor(request)
    proposal = selectors.proposal_get_for_actor(actor=actor, public_id=proposal_id)
    try:
        new = services.proposal_resolve(actor=actor, proposal=proposal)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("formation:detail", proposal_id=proposal.public_id)
    messages.success(request, _("Solved again with your changes."))
    return redirect("formation:detail", proposal_id=new.public_id)


@staff_required
@require_POST
def proposal_approve(request: HttpRequest, proposal_id: str) -> HttpResponse:
    actor = get_actor(request)
    proposal = selectors.proposal_get_for_actor(actor=actor, public_id=proposal_id)
    form = ApproveForm(request.POST)
    days = form.cleaned_data["days"] if form.is_valid() else None
    try:
        result = services.proposal_approve(actor=actor, proposal=proposal, days=days)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            ngettext("%(count)s offer was sent.", "%(count)s offers were sent.", result.offered)
            % {"count": result.offered},
        )
        if result.failed:
            messages.warning(
                request,
                _("Not offered: %(list)s")
                % {"list": "; ".join(f"{code} ({why})" for code, why in result.failed)},
            )
    return redirect("formation:detail", proposal_id=proposal.public_id)


@staff_required
@require_POST
def proposal_discard(request: HttpRequest, proposal_id: str) -> HttpResponse:
    actor = get_actor(request)
    proposal = selectors.proposal_get_for_actor(actor=actor, public_id=proposal_id)
    services.proposal_discard(actor=actor, proposal=proposal)
    messages.success(request, _("The proposal was discarded. Nothing was offered."))
    return redirect("formation:list")


@staff_required
def pair_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not can_use_proposals(actor):
        raise NotFound
    people = selectors.waiting_people_for_actor(actor=actor)
    form = PairForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        ids = [_uuid(form.cleaned_data[name]) for name in ("first", "second")]
        wanted = [i for i in ids if i is not None]
        found = {p.public_id: p for p in Participant.objects.filter(public_id__in=wanted)}
        first, second = (found.get(i) if i else None for i in ids)
        if first is None or second is None:
            raise NotFound
        try:
            services.pair_create(
                actor=actor, first=first, second=second, together=form.cleaned_data["together"]
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("The pair was saved."))
            return redirect("formation:pairs")
    return render(
        request,
        "formation/pairs.html",
        {"form": form, "pairs": selectors.pairs_for_actor(actor=actor)},
        status=400 if form.errors else 200,
    )


@staff_required
@require_POST
def pair_delete(request: HttpRequest, pair_id: str) -> HttpResponse:
    actor = get_actor(request)
    pair = PlacementPair.objects.filter(public_id=pair_id).first()
    if pair is None:
        raise NotFound
    services.pair_delete(actor=actor, pair=pair)
    messages.success(request, _("The pair was removed."))
    return redirect("formation:pairs")
