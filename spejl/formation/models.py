"""Group formation: proposals from the optimiser of who joins which group, reviewed, adjusted
and approved by a coordinator — approval makes ordinary offers through the enrolment flow.

A proposal stores the hash of its input, the solver version, its objective, gap and time,
the greedy baseline's figures, each proposed placement with its reasons, everyone left
unplaced with the binding reason, and the coordinator's locks and forbids. It holds no
contact data: it points at enrolments (pseudonymous participants).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PlacementPair(models.Model):
    """Two waiting participants who must be placed together (they came together) or must
    never be placed together (e.g. relatives). Personal data: the link between two people."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    first = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="+"
    )
    second = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="+"
    )
    together = models.BooleanField(
        _("together"), help_text=_("Together (came together) or apart (never the same group).")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="one_pair_per_two_people"),
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="pair_in_order"),
        ]

    def __str__(self) -> str:
        return "together" if self.together else "apart"


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("To review")
    APPROVED = "approved", _("Approved: offers sent")
    SUPERSEDED = "superseded", _("Replaced by a newer proposal")
    DISCARDED = "discarded", _("Discarded")


class Proposal(models.Model):
    """One run of the optimiser for one organisation (or, for the national secretariat,
    several neighbouring ones)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisations = models.ManyToManyField("organisations.Organisation", related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    status = models.CharField(
        max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    input_hash = models.CharField(max_length=64)
    solver_version = models.CharField(max_length=40)
    solver = models.CharField(max_length=40)
    solver_status = models.CharField(max_length=40)
    time_limit = models.FloatField()
    objective = models.FloatField()
    objective_terms = models.JSONField(default=dict)
    bound = models.FloatField(null=True)
    gap = models.FloatField(null=True)
    solve_seconds = models.FloatField()
    people_count = models.PositiveIntegerField()
    group_count = models.PositiveIntegerField()
    #: The first-come-first-served baseline of the same input: placed, travel_km, objective.
    baseline = models.JSONField(default=dict)
    #: Where new groups would place the most of those left unplaced.
    suggestions = models.JSONField(default=list)
    #: Waiting people who could not be considered, and why (enrolment public id → reason).
    not_considered = models.JSONField(default=dict)
    opened_groups = models.ManyToManyField("groups.PeerGroup", related_name="+", blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    #: What approving did: offers made, placements that could not be offered and why.
    approval = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"proposal {self.public_id}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("formation:detail", kwargs={"proposal_id": self.public_id})


class ProposalPlacement(models.Model):
    """One proposed seat: this waiting participant in this group, and why."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="placements")
    enrolment = models.ForeignKey(
        "enrolments.Enrolment", on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey("groups.PeerGroup", on_delete=models.CASCADE, related_name="+")
    travel_km = models.FloatField()
    days_waited = models.PositiveIntegerField()
    unmet_wishes = models.JSONField(default=list)
    locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["group_id", "-days_waited", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "enrolment"], name="one_placement_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"placement in {self.group_id}"


class ProposalUnplaced(models.Model):
    """A waiting participant the proposal could not place, with the binding reason."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="unplaced")
    enrolment = models.ForeignKey(
        "enrolments.Enrolment", on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=40)
    suitable_groups = models.ManyToManyField("groups.PeerGroup", related_name="+", blank=True)

    class Meta:
        ordering = ["reason", "pk"]

    def __str__(self) -> str:
        return self.reason


class DecisionKind(models.TextChoices):
    LOCK = "lock", _("Keep this placement")
    FORBID = "forbid", _("Not this group")


class ProposalDecision(models.Model):
    """A coordinator's lock or forbid on one (participant, group), carried into re-solves."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="decisions")
    enrolment = models.ForeignKey(
        "enrolments.Enrolment", on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey("groups.PeerGroup", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=6, choices=DecisionKind.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "enrolment", "group"], name="one_decision_per_pair"
            ),
        ]

    def __str__(self) -> str:
        return self.kind
