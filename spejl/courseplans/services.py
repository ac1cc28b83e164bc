"""Changes to course plans: new versions, organisations' own copies, editing drafts, publishing.

A published version never changes: every edit service refuses anything but a draft. Course
plans hold no personal data, so nothing here is audited as personal data.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from spejl.access.actor import Actor
from spejl.courseplans import policies
from spejl.courseplans.loader import CODE_MAX_LENGTH, plan_content_hash, plan_data_from_models
from spejl.courseplans.models import CoursePlan, CoursePlanMeeting, CoursePlanStatus
from spejl.courseplans.permissions import check_can_adapt_into, check_can_manage_course_plan
from spejl.organisations.models import Organisation

MEETING_FIELDS = ("theme_da", "theme_en", "guide_da", "guide_en", "is_review")


def _refuse(message: str | None, code: str = "invalid") -> None:
    if message is not None:
        raise ValidationError(message, code=code)


def _locked(plan: CoursePlan) -> CoursePlan:
    """The plan's current row, locked for this transaction (a concurrent publish or edit waits
    or is seen)."""
    return (
        CoursePlan.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=plan.pk)
    )


def _locked_draft(actor: Actor, plan: CoursePlan) -> CoursePlan:
    check_can_manage_course_plan(actor, plan)
    current = _locked(plan)
    _refuse(policies.edit_problem(current), code="immutable")
    return current


def _draft_of(code: str) -> CoursePlan | None:
    return CoursePlan.objects.filter(code=code, status=CoursePlanStatus.DRAFT).first()


def _next_version(code: str) -> int:
    current = CoursePlan.objects.filter(code=code).aggregate(v=Max("version"))["v"]
    return (current or 0) + 1


def _copy(plan: CoursePlan, *, code: str, organisation: Organisation | None) -> CoursePlan:
    """A draft copy of ``plan`` as the next version of ``code``, with all its meetings."""
    try:
        with transaction.atomic():
            copy = CoursePlan.objects.create(
                code=code,
                version=_next_version(code),
                organisation=organisation,
                based_on=plan,
                title_da=plan.title_da,
                title_en=plan.title_en,
                description_da=plan.description_da,
                description_en=plan.description_en,
                status=CoursePlanStatus.DRAFT,
            )
    except IntegrityError as exc:  # a second click at the same moment
        raise ValidationError(
            _("Someone else made a new version at the same moment. Reload the page."),
            code="conflict",
        ) from exc
    CoursePlanMeeting.objects.bulk_create(
        [
            CoursePlanMeeting(
                plan=copy, number=m.number, **{f: getattr(m, f) for f in MEETING_FIELDS}
            )
            for m in CoursePlanMeeting.objects.filter(plan=plan).order_by("number")
        ]
    )
    return copy


@transaction.atomic
def courseplan_new_version(*, actor: Actor, plan: CoursePlan) -> CoursePlan:
    """Start the next version of a plan as a draft copy of ``plan`` (published or superseded).

    National plans: national admins; an organisation's plans: its coordinators and national
    admins. One draft per plan at a time.
    """
    check_can_manage_course_plan(actor, plan)
    current = _locked(plan)
    _refuse(policies.new_version_problem(current, _draft_of(current.code)))
    return _copy(current, code=current.code, organisation=current.organisation)


def adapted_code(plan: CoursePlan, organisation: Organisation) -> str:
    """The code of ``organisation``'s own copy of ``plan``: ``<organisation slug>-<code>``."""
    return f"{organisation.slug}-{plan.code}"[:CODE_MAX_LENGTH].rstrip("-_")


@transaction.atomic
def courseplan_adapt(*, actor: Actor, plan: CoursePlan, organisation: Organisation) -> CoursePlan:
    """Make ``organisation``'s own draft copy of a published plan, to adapt and publish.

    The copy's code is ``<organisation slug>-<original code>``; its version is 1, or the next
    one if the organisation has adapted this plan before. Coordinators of ``organisation`` and
    national admins.
    """
    check_can_adapt_into(actor, plan, organisation)
    current = _locked(plan)
    _refuse(policies.adapt_problem(current, organisation))
    code = adapted_code(current, organisation)
    if CoursePlan.objects.filter(code=code).exclude(organisation=organisation).exists():
        raise ValidationError(
            _("The code %(code)s is already used by another course plan.") % {"code": code}
        )
    draft = _draft_of(code)
    if draft is not None:
        raise ValidationError(policies.existing_draft_message(draft), code="draft_exists")
    return _copy(current, code=code, organisation=organisation)


@transaction.atomic
def courseplan_update_draft(
    *,
    actor: Actor,
    plan: CoursePlan,
    title_da: str,
    title_en: str,
    description_da: str,
    description_en: str,
) -> CoursePlan:
    """Change a draft's titles and descriptions (managers of the plan; drafts only)."""
    current = _locked_draft(actor, plan)
    current.title_da = title_da.strip()
    current.title_en = title_en.strip()
    current.description_da = description_da.strip()
    current.description_en = description_en.strip()
    current.full_clean(exclude=["based_on", "organisation", "published_by"])
    current.save(update_fields=["title_da", "title_en", "description_da", "description_en"])
    return current


def _clean_meeting(meeting: CoursePlanMeeting) -> None:
    for field in ("theme_da", "theme_en", "guide_da", "guide_en"):
        setattr(meeting, field, getattr(meeting, field).strip())
    # The number is kept consecutive by these services; the constraint is the database's job.
    meeting.full_clean(exclude=["plan", "number"], validate_constraints=False)


@transaction.atomic
def courseplan_meeting_update(
    *,
    actor: Actor,
    plan: CoursePlan,
    number: int,
    theme_da: str,
    theme_en: str,
    guide_da: str,
    guide_en: str,
    is_review: bool,
) -> CoursePlanMeeting:
    """Change one meeting of a draft: its themes, facilitator guides and whether it is the
    group's review meeting."""
    current = _locked_draft(actor, plan)
    meeting = CoursePlanMeeting.objects.filter(plan=current, number=number).first()
    if meeting is None:
        raise ValidationError(_("There is no meeting %(number)s.") % {"number": number})
    meeting.theme_da, meeting.theme_en = theme_da, theme_en
    meeting.guide_da, meeting.guide_en = guide_da, guide_en
    meeting.is_review = is_review
    _clean_meeting(meeting)
    meeting.save()
    return meeting


@transaction.atomic
def courseplan_meeting_add(
    *,
    actor: Actor,
    plan: CoursePlan,
    theme_da: str,
    theme_en: str,
    guide_da: str = "",
    guide_en: str = "",
    is_review: bool = False,
) -> CoursePlanMeeting:
    """Add a meeting after the last one of a draft (at most 20 meetings)."""
    current = _locked_draft(actor, plan)
    count = CoursePlanMeeting.objects.filter(plan=current).count()
    _refuse(policies.add_meeting_problem(count))
    meeting = CoursePlanMeeting(
        plan=current,
        number=count + 1,
        theme_da=theme_da,
        theme_en=theme_en,
        guide_da=guide_da,
        guide_en=guide_en,
        is_review=is_review,
    )
    _clean_meeting(meeting)
    meeting.save()
    return meeting


@transaction.atomic
def courseplan_meeting_remove(*, actor: Actor, plan: CoursePlan, number: int) -> None:
    """Remove a meeting from a draft; the meetings after it move up one number."""
    current = _locked_draft(actor, plan)
    meetings = list(CoursePlanMeeting.objects.filter(plan=current).order_by("number"))
    _refuse(policies.remove_meeting_problem(len(meetings)))
    if not any(m.number == number for m in meetings):
        raise ValidationError(_("There is no meeting %(number)s.") % {"number": number})
    CoursePlanMeeting.objects.filter(plan=current, number=number).delete()
    # One row at a time, lowest first, so the (plan, number) constraint holds at every step.
    for meeting in meetings:
        if meeting.number > number:
            meeting.number -= 1
            meeting.save(update_fields=["number"])


@transaction.atomic
def courseplan_publish(*, actor: Actor, plan: CoursePlan) -> CoursePlan:
    """Publish a draft: fix its content hash, and supersede the version published before it
    (which stays usable by the groups that follow it, but is no longer offered to new ones)."""
    check_can_manage_course_plan(actor, plan)
    current = _locked(plan)
    meetings = list(CoursePlanMeeting.objects.filter(plan=current).order_by("number"))
    newest = (
        CoursePlan.objects.filter(code=current.code, status=CoursePlanStatus.PUBLISHED)
        .exclude(pk=current.pk)
        .aggregate(v=Max("version"))["v"]
    )
    problems = policies.publish_problems(current, meetings, newest)
    if problems:
        raise ValidationError(problems, code="not_publishable")
    now = timezone.now()
    digest = plan_content_hash(plan_data_from_models(current, meetings))
    # Conditional update: of two publishes at once, only one finds the draft.
    updated = CoursePlan.objects.filter(pk=current.pk, status=CoursePlanStatus.DRAFT).update(
        status=CoursePlanStatus.PUBLISHED,
        content_hash=digest,
        published_at=now,
        published_by=actor.user,
    )
    if not updated:
        raise ValidationError(_("This version has already been published."), code="published")
    CoursePlan.objects.filter(code=current.code, status=CoursePlanStatus.PUBLISHED).exclude(
        pk=current.pk
    ).update(status=CoursePlanStatus.RETIRED)
    current.refresh_from_db()
    return current
