"""The register of personal data (GDPR art. 30): every field of Spejl's models, decided.

Each concrete field of Spejl's own apps is decided one of three ways:

- an entry in ``REGISTER`` ("app_label.Model.field" → ``PersonalField``): personal data, with
  its category, purpose, legal basis, who can see it and how long it is kept;
- an entry in ``NOT_PERSONAL`` ("app_label.Model.field" → reason): judged not personal data;
- a ``NotPersonalRule`` that covers a whole kind of technical field (row identifiers,
  bookkeeping timestamps, links to organisational objects, reference-data models).

An explicit entry wins over a rule. A foreign key to a staff account is never covered by a
rule: it records who did something, so it must be registered. ``model_fields_needing_review``
lists the fields nothing decides; a test requires it to be empty, so a model cannot gain a
field without someone deciding whether it is personal data.

``docs/privacy.md`` shows this register (``manage.py privacy_register --write``). This module
reads model metadata only, never rows: it touches no personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    """What kind of personal data a field is, which decides how apart it is kept."""

    CONTACT = "identifying contact"
    RESEARCH = "pseudonymous research (health)"
    OPERATIONAL = "operational about a person"
    STAFF = "staff account"


@dataclass(frozen=True)
class PersonalField:
    """One personal-data field's record of processing.

    ``special`` marks data that are, or may reveal, health data (GDPR art. 9).
    """

    category: Category
    purpose: str
    legal_basis: str
    visible_to: str
    retention: str
    special: bool = False


@dataclass(frozen=True)
class FieldFacts:
    """What the walker knows about one model field, as plain data (so tests can fake it)."""

    model: str  # "app_label.ModelName"
    name: str
    related_model: str | None = None  # "app_label.ModelName" for relations, else None

    @property
    def key(self) -> str:
        return f"{self.model}.{self.name}"


@dataclass(frozen=True)
class NotPersonalRule:
    """A kind of field judged not personal, with the reason, decided by a predicate."""

    name: str
    reason: str
    applies: Callable[[FieldFacts], bool]


STAFF_USER = "accounts.User"

# --- Legal bases --------------------------------------------------------------------------

PARTICIPATION = (
    "Art. 6(1)(a) and 9(2)(a): the participant's explicit participation consent "
    "(given at or before the intake conversation)"
)
EVALUATION = (
    "Art. 6(1)(e) and 9(2)(j) with the safeguards of art. 89(1), and Danish Data Protection "
    "Act § 10; the evaluation consent is asked for and honoured as an extra safeguard "
    "(only participants whose evaluation consent is in force are used)"
)
ENQUIRY = (
    "Art. 6(1)(a) and 9(2)(a): the person's own request to be contacted about a group; "
    "the form links to the privacy notice (/privacy/); explicit consent to the optional "
    "message is not asked (gap, see above)"
)
CONSENT_RECORD = (
    "Art. 6(1)(c) with art. 7(1): the controller must be able to show that consent was given "
    "and when it was withdrawn"
)
STAFF_WORK = (
    "Art. 6(1)(b) (the person's employment or volunteer agreement with the organisation) "
    "and 6(1)(f) (running the programme)"
)
ACCOUNTABILITY = (
    "Art. 6(1)(c) with art. 5(2) and 32 (accountability, security of processing), and 6(1)(f)"
)
PUBLIC_CONTACT = "Art. 6(1)(f): letting the public reach the organisation"

# --- Who can see it (see docs/access.md) --------------------------------------------------

SEE_CONTACT = (
    "national admin; coordinators of the participant's organisation; the group's own "
    "facilitators see first name, phone and e-mail of their group's participants (not the "
    "last name); the participant through their own link. Never the evaluator"
)
SEE_COORDINATORS = (
    "national admin; coordinators of the person's organisation. Not facilitators, not the evaluator"
)
SEE_ROSTER = (
    "national admin; coordinators of the participant's organisation; the group's own "
    "facilitators (roster and attendance); the evaluator pseudonymised in exports; the "
    "participant through their own link"
)
SEE_RESEARCH = (
    "national admin; coordinators of the participant's organisation; the evaluator only "
    "pseudonymised (exports under keyed pseudonyms) and as aggregates of at least 5; the "
    "participant through their own link. Never facilitators"
)
SEE_CONSENT = (
    "national admin; coordinators of the participant's organisation; the participant through "
    "their own link. The evaluator sees no consents (exports contain only consenting people)"
)
SEE_FORMATION = "national admin; coordinators of the proposal's organisation(s)"
SEE_STAFF = (
    "the person themself; national admin; coordinators of an organisation where the person "
    "holds a role; facilitators' names on the groups they facilitate"
)
SEE_TRACE = (
    "shown as a name to those who may see the object it is on (docs/access.md); the "
    "national admin in the audit log"
)
SEE_AUDIT = "national admin (audit log)"
SEE_PUBLIC = "everyone (organisation pages and the public group finder)"

# --- Retention (docs/retention.md; say where it is not automated) -------------------------

NOT_AUTOMATED = "Not removed by the retention job (docs/retention.md)"
KEEP_CONTACT = (
    "While the person is in a group or waiting for a place; erased by the daily retention job "
    "12 months (SPEJL_RETAIN_CONTACT_MONTHS) after their last activity — the last meeting of "
    "their group, or the last change of their place, intake or questionnaire window — as the "
    "participation and follow-up consent texts (v1) promise (automated)"
)
KEEP_ENQUIRY = (
    "An enquiry that never became a participant (closed, or left untouched) is deleted 12 "
    "months (SPEJL_RETAIN_ENQUIRY_MONTHS) after its last change, with its intake appointments "
    "(automated). One that became a participant loses its identifying fields and message "
    "with the participant's contact data (automated)"
)
KEEP_OPERATIONAL = (
    "With the participant's contact data: 12 months after the last meeting, then deleted or "
    "reduced to what the evaluation keeps. " + NOT_AUTOMATED
)
KEEP_RESEARCH = (
    "Until the evaluation is finished (evaluation consent text v1; SPEJL_EVALUATION_ENDS, from "
    "the agreement with the evaluator), then deleted or made fully anonymous by hand with the "
    "evaluator. A longer period for checking results (SPEJL_RETAIN_RESEARCH_YEARS, default 0) "
    "needs the agreement and a new consent text. The retention job reports when the data fall "
    "due and never deletes them itself"
)
KEEP_CONSENT = (
    "As long as the data the consent covers, plus the period needed to show it was given; "
    "proposed: deleted with the participant record. " + NOT_AUTOMATED
)
KEEP_FORMATION = "Proposed: 12 months after the proposal is approved or discarded. " + NOT_AUTOMATED
KEEP_STAFF = (
    "While the person holds a role; proposed: account deleted 12 months after the last role "
    "ends (today accounts are deactivated, not deleted). " + NOT_AUTOMATED
)
KEEP_TRACE = "As long as the record it is on (erased or anonymised with it)"
KEEP_AUDIT = (
    "5 years (SPEJL_RETAIN_AUDIT_YEARS, set by the controller; 0 keeps them), then pruned by "
    "the retention job through a recorded prune that keeps the hash chain verifiable "
    "(automated; docs/audit.md)"
)


def _many(model: str, names: str, entry: PersonalField) -> dict[str, PersonalField]:
    """Register several fields of one model under one entry."""
    return {f"{model}.{name}": entry for name in names.split()}


def _trace(what: str) -> PersonalField:
    """A link to the staff account that did something: an activity trace of a staff member."""
    return PersonalField(
        Category.STAFF,
        f"Accountability: who {what}",
        ACCOUNTABILITY,
        SEE_TRACE,
        KEEP_TRACE,
    )


# The order here is the order of docs/privacy.md within each category.
REGISTER: dict[str, PersonalField] = {
    # Identifying contact data of participants, kept apart from everything else.
    **_many(
        "participants.Contact",
        "first_name last_name phone email postcode preferred_channel language",
        PersonalField(
            Category.CONTACT,
            "Reaching the participant about their group (dates, changes, offers, links to "
            "questionnaires); postcode to find a group near them; after the course, follow-up "
            "contact only with follow-up consent. Name, phone and e-mail are encrypted at rest "
            "(docs/security.md)",
            PARTICIPATION + "; after the course art. 6(1)(a) follow-up consent",
            SEE_CONTACT,
            KEEP_CONTACT,
        ),
    ),
    **_many(
        "enquiries.Enquiry",
        "first_name phone email preferred_contact postcode language contact_fingerprint",
        PersonalField(
            Category.CONTACT,
            "Getting back to someone who asked to join; the fingerprint (a keyed hash of the "
            "e-mail or phone under a lookup key kept outside the database) spots repeated "
            "enquiries without searching contact data in clear; name, phone and e-mail are "
            "encrypted at rest (docs/security.md)",
            ENQUIRY,
            SEE_COORDINATORS,
            KEEP_ENQUIRY,
        ),
    ),
    # Pseudonymous research data: they hang off the participant's random code.
    **_many(
        "participants.Participant",
        "code birth_year gender",
        PersonalField(
            Category.RESEARCH,
            "The participant's pseudonym; birth year for the target group's age band and the "
            "evaluation's age bands; gender, only if the person wants to say, for wishes about "
            "the group and subgroup analysis",
            PARTICIPATION + "; for the evaluation: " + EVALUATION,
            "national admin; coordinators of the participant's organisation; the evaluator "
            "only as age band or birth year and gender under a keyed pseudonym, and in "
            "aggregates of at least 5; the participant through their own link; the code alone "
            "is shown to the group's facilitators in place of a participant without contact data",
            KEEP_RESEARCH,
        ),
    ),
    **_many(
        "questionnaires.Invitation",
        "wave status opens_at closes_at sent_at reminders_sent started_at completed_at "
        "completed_mode cancelled_reason",
        PersonalField(
            Category.RESEARCH,
            "Inviting the participant to answer a wave and reminding them; who answered when "
            "(response and attrition figures)",
            EVALUATION,
            SEE_RESEARCH,
            KEEP_RESEARCH,
        ),
    ),
    **_many(
        "questionnaires.Response",
        "wave instrument_code mode status started_at submitted_at answered_on",
        PersonalField(
            Category.RESEARCH,
            "The evaluation: which questionnaire was answered at which wave, how and when",
            EVALUATION,
            SEE_RESEARCH,
            KEEP_RESEARCH,
            special=True,
        ),
    ),
    **_many(
        "questionnaires.Answer",
        "value declined text answered_at",
        PersonalField(
            Category.RESEARCH,
            "The evaluation: answers on loneliness, well-being and mental health (free text is "
            "left out of exports by default)",
            EVALUATION,
            SEE_RESEARCH,
            KEEP_RESEARCH,
            special=True,
        ),
    ),
    **_many(
        "questionnaires.Score",
        "raw score band complete missing item_scores",
        PersonalField(
            Category.RESEARCH,
            "The evaluation: scores computed from the answers by a named scoring version",
            EVALUATION,
            SEE_RESEARCH,
            KEEP_RESEARCH,
            special=True,
        ),
    ),
    "questionnaires.ImportRun.content": PersonalField(
        Category.RESEARCH,
        "Holding an uploaded REDCap file (record ids and answers, no names) between the check "
        "and the import",
        EVALUATION,
        "national admin; coordinators of the run's organisation",
        "Emptied when the run is imported or discarded (automated); a run left in preview is "
        "kept until then. " + NOT_AUTOMATED,
        special=True,
    ),
    "questionnaires.ExternalRecord.record_id": PersonalField(
        Category.RESEARCH,
        "Recognising a REDCap record imported again or at a later wave",
        EVALUATION,
        "national admin; coordinators of the organisation (import pages)",
        KEEP_RESEARCH,
    ),
    # Operational data about a person: running enquiries, intakes, places and meetings.
    **_many(
        "enquiries.Enquiry",
        "group source referrer birth_year heard_about preferred_times message status closed_reason",
        PersonalField(
            Category.OPERATIONAL,
            "Handling the request to join: which group, age for the target group, when they "
            "can come, what they wrote; source and how they heard for the way-in figures "
            "(counted, never exported per person)",
            ENQUIRY,
            SEE_COORDINATORS,
            KEEP_ENQUIRY,
            special=True,
        ),
    ),
    **_many(
        "intake.Intake",
        "scheduled_at mode place status age_ok target tils_1 tils_2 tils_3 tils_score "
        "decision referral_destination decision_note decided_at",
        PersonalField(
            Category.OPERATIONAL,
            "The intake conversation (forsamtale): fit, readiness, loneliness screening "
            "(T-ILS), the decision and any referral elsewhere",
            PARTICIPATION,
            SEE_COORDINATORS,
            "An intake of an enquiry that never became a participant is deleted with the "
            "enquiry (12 months, automated); free text (place, note, wishes, needs) is erased "
            "with the participant's contact data (automated); the rest stays with the "
            "pseudonymous participant record. " + NOT_AUTOMATED,
            special=True,
        ),
    ),
    **_many(
        "intake.Intake",
        "preferred_times max_travel_km composition_wishes group_wishes accessibility_needs "
        "needs_step_free language",
        PersonalField(
            Category.OPERATIONAL,
            "Finding a group that suits the person: times, travel, wishes about the group, "
            "accessibility needs (may reveal a disability)",
            PARTICIPATION,
            SEE_COORDINATORS + "; used by the group-formation optimiser",
            "An intake of an enquiry that never became a participant is deleted with the "
            "enquiry (12 months, automated); free text (place, note, wishes, needs) is erased "
            "with the participant's contact data (automated); the rest stays with the "
            "pseudonymous participant record. " + NOT_AUTOMATED,
            special=True,
        ),
    ),
    **_many(
        "enrolments.Enrolment",
        "group state state_changed_at waitlisted_at offer_expires_at offered_at drop_reason",
        PersonalField(
            Category.OPERATIONAL,
            "The participant's place: waitlist, offers, which group, completed or dropped out "
            "and why (course status and reason go to the evaluation, pseudonymised)",
            PARTICIPATION + "; for the evaluation: " + EVALUATION,
            SEE_ROSTER,
            KEEP_OPERATIONAL,
            special=True,
        ),
    ),
    "enrolments.Enrolment.drop_note": PersonalField(
        Category.OPERATIONAL,
        "The coordinator's note on why someone dropped out (kept out of exports)",
        PARTICIPATION,
        SEE_COORDINATORS,
        KEEP_OPERATIONAL,
        special=True,
    ),
    **_many(
        "enrolments.EnrolmentTransition",
        "from_state to_state at reason",
        PersonalField(
            Category.OPERATIONAL,
            "History of the participant's place (who moved it, when, why)",
            PARTICIPATION,
            SEE_COORDINATORS,
            KEEP_OPERATIONAL,
        ),
    ),
    **_many(
        "groups.Attendance",
        "status absence_reason marked_at",
        PersonalField(
            Category.OPERATIONAL,
            "Who came to which meeting (and, if known, why not); share of meetings attended "
            "goes to the evaluation, pseudonymised",
            PARTICIPATION + "; for the evaluation: " + EVALUATION,
            SEE_ROSTER,
            KEEP_OPERATIONAL,
            special=True,
        ),
    ),
    "groups.MeetingLog.note": PersonalField(
        Category.OPERATIONAL,
        "The facilitators' short note after a meeting; the form warns against names and "
        "health details, but free text may still hold them",
        PARTICIPATION,
        "national admin; coordinators of the group's organisation; the group's own "
        "facilitators. Kept out of exports",
        KEEP_OPERATIONAL,
        special=True,
    ),
    **_many(
        "consents.Consent",
        "purpose given_at method withdrawn_at withdrawn_method",
        PersonalField(
            Category.OPERATIONAL,
            "Which consents the participant has given or withdrawn, to which text version, "
            "when and how",
            CONSENT_RECORD,
            SEE_CONSENT,
            KEEP_CONSENT,
        ),
    ),
    **_many(
        "links.SecureLink",
        "purpose expires_at used_at revoked_at",
        PersonalField(
            Category.OPERATIONAL,
            "Letting the participant reach their page, offers, consents and questionnaires "
            "without an account",
            PARTICIPATION,
            "no page lists links; their effect shows to coordinators of the participant's "
            "organisation",
            "Until the link expires, is used up or is revoked; the row is deleted 30 days later "
            "(SPEJL_RETAIN_LINK_DAYS), and with the participant's contact data (automated)",
        ),
    ),
    **_many(
        "notifications.Notification",
        "template channel status sent_at delivery delivery_reported_at",
        PersonalField(
            Category.OPERATIONAL,
            "Sending each message once, and knowing whether it arrived (no address or text "
            "is stored)",
            PARTICIPATION
            + "; questionnaire messages: "
            + EVALUATION
            + "; follow-up messages: art. 6(1)(a) follow-up consent",
            "coordinators of the organisation (delivery state on the intake and "
            "questionnaire pages); national admin; operators with database access",
            "Deleted 12 months after it was queued once sent, failed or skipped "
            "(SPEJL_RETAIN_NOTIFICATION_MONTHS), and with the participant's erasure (automated)",
        ),
    ),
    **_many(
        "formation.PlacementPair",
        "first second together",
        PersonalField(
            Category.OPERATIONAL,
            "Two waiting people who must be placed together (came together) or never in the "
            "same group (e.g. relatives): a relationship between two people",
            PARTICIPATION,
            SEE_FORMATION,
            KEEP_OPERATIONAL,
        ),
    ),
    **_many(
        "formation.Proposal",
        "not_considered approval",
        PersonalField(
            Category.OPERATIONAL,
            "Why a waiting person could not be considered, and what approving offered to whom",
            PARTICIPATION,
            SEE_FORMATION,
            KEEP_FORMATION,
        ),
    ),
    **_many(
        "formation.ProposalPlacement",
        "travel_km days_waited unmet_wishes locked",
        PersonalField(
            Category.OPERATIONAL,
            "A proposed place for a waiting person, with travel distance, days waited and "
            "wishes not met",
            PARTICIPATION,
            SEE_FORMATION,
            KEEP_FORMATION,
        ),
    ),
    "formation.ProposalUnplaced.reason": PersonalField(
        Category.OPERATIONAL,
        "Why a waiting person could not be placed",
        PARTICIPATION,
        SEE_FORMATION,
        KEEP_FORMATION,
    ),
    **_many(
        "formation.ProposalDecision",
        "kind decided_at",
        PersonalField(
            Category.OPERATIONAL,
            "A coordinator's lock or forbid of one person in one group",
            PARTICIPATION,
            SEE_FORMATION,
            KEEP_FORMATION,
        ),
    ),
    "audit.AuditEvent.object_id": PersonalField(
        Category.OPERATIONAL,
        "Which record (by its random public id) a staff member read or changed",
        ACCOUNTABILITY,
        SEE_AUDIT,
        KEEP_AUDIT,
    ),
    # Staff and volunteers.
    **_many(
        "accounts.User",
        "email full_name is_active date_joined last_login",
        PersonalField(
            Category.STAFF, "The staff member's login and name", STAFF_WORK, SEE_STAFF, KEEP_STAFF
        ),
    ),
    "accounts.User.password": PersonalField(
        Category.STAFF,
        "Authentication (a salted hash, never the password)",
        STAFF_WORK + "; art. 32 (security)",
        "nobody: never shown",
        KEEP_STAFF,
    ),
    **_many(
        "accounts.Membership",
        "user role",
        PersonalField(
            Category.STAFF,
            "Which roles a person holds in which organisation: decides what they may see",
            STAFF_WORK,
            SEE_STAFF,
            "Deleted when the role is removed",
        ),
    ),
    **_many(
        "facilitators.FacilitatorProfile",
        "user phone",
        PersonalField(
            Category.STAFF,
            "Reaching a volunteer facilitator",
            STAFF_WORK,
            "the facilitator themself; national admin; coordinators of the facilitator's "
            "organisations",
            KEEP_STAFF,
        ),
    ),
    **_many(
        "facilitators.TrainingRecord",
        "course_name provider completed_on valid_until certificate_note",
        PersonalField(
            Category.STAFF,
            "Knowing that a facilitator is trained, and until when",
            STAFF_WORK,
            "the facilitator themself; national admin; coordinators of the facilitator's "
            "organisations",
            KEEP_STAFF,
        ),
    ),
    **_many(
        "facilitators.SupervisionSession",
        "held_on supervisor note",
        PersonalField(
            Category.STAFF,
            "Supervision a facilitator took part in, and the supervisor's name; the note must "
            "hold no health details or participants' names",
            STAFF_WORK,
            "the facilitator themself; national admin; coordinators of the session's organisation",
            KEEP_STAFF,
        ),
    ),
    **_many(
        "groups.GroupFacilitator",
        "facilitator override_reason assigned_at",
        PersonalField(
            Category.STAFF,
            "Which facilitator runs which group; why training was overridden if it was",
            STAFF_WORK,
            "national admin; coordinators of the group's organisation; the group's "
            "facilitators; the group's participants see their facilitators' first names",
            KEEP_STAFF,
        ),
    ),
    **_many(
        "organisations.Organisation",
        "contact_email contact_phone",
        PersonalField(
            Category.STAFF,
            "The organisation's public contact point (personal data when it is a named "
            "person's address or phone)",
            PUBLIC_CONTACT,
            SEE_PUBLIC,
            "While the organisation uses it; replaced when it changes",
        ),
    ),
    **_many(
        "audit.AuditEvent",
        "actor occurred_at",
        PersonalField(
            Category.STAFF,
            "The audit trail: which staff member read or changed personal data, and when",
            ACCOUNTABILITY,
            SEE_AUDIT,
            KEEP_AUDIT,
        ),
    ),
    "notifications.Notification.recipient_user": PersonalField(
        Category.STAFF,
        "Sending a message to a staff member (e.g. an invitation to their account)",
        STAFF_WORK,
        "operators with database access",
        "Deleted 12 months after it was queued once sent, failed or skipped "
        "(SPEJL_RETAIN_NOTIFICATION_MONTHS; automated)",
    ),
    **_many(
        "evaluation.ReportRun",
        "requested_by",
        PersonalField(
            Category.STAFF,
            "Only the person who asked for a report may open it",
            ACCOUNTABILITY,
            "the person themself",
            "Listed and kept for 14 days, then deleted with its aggregates "
            "(SPEJL_RETAIN_REPORT_RUN_DAYS; automated)",
        ),
    ),
    **_many(
        "evaluation.Export",
        "requested_by downloaded_at",
        PersonalField(
            Category.STAFF,
            "Only the person who asked for an export may download it, once; pseudonyms are "
            "keyed per recipient",
            ACCOUNTABILITY,
            "the person themself; national admin in the audit log",
            "The file is deleted after one download or 24 hours (automated); the finished "
            "record 12 months after it was asked for (SPEJL_RETAIN_EXPORT_RECORD_MONTHS; "
            "automated)",
        ),
    ),
    "consents.Consent.recorded_by": _trace("recorded a paper or verbal consent"),
    "consents.ConsentText.published_by": _trace("published a consent text"),
    "courseplans.CoursePlan.published_by": _trace("published a course plan"),
    "enquiries.Enquiry.registered_by": _trace("registered an enquiry taken by phone or in person"),
    "intake.Intake.coordinator": _trace("holds the intake conversation"),
    "enrolments.EnrolmentTransition.actor": _trace("changed a participant's place"),
    "groups.GroupFacilitator.assigned_by": _trace("assigned a facilitator"),
    "groups.GroupStatusChange.actor": _trace("changed a group's status"),
    "groups.Attendance.marked_by": _trace("marked attendance"),
    "groups.MeetingLog.written_by": _trace("wrote the meeting log"),
    "questionnaires.InstrumentVersion.enabled_changed_by": _trace("switched an instrument"),
    "questionnaires.MeasurementPlan.created_by": _trace("drafted a measurement plan"),
    "questionnaires.MeasurementPlan.published_by": _trace("published a measurement plan"),
    "questionnaires.Response.entered_by": _trace("entered a paper or phone response"),
    "questionnaires.ImportRun.created_by": _trace("imported a REDCap file"),
    "formation.PlacementPair.created_by": _trace("recorded a placement pair"),
    "formation.Proposal.created_by": _trace("ran the optimiser"),
    "formation.Proposal.approved_by": _trace("approved a proposal"),
    "formation.Proposal.approved_at": _trace("approved a proposal (time)"),
    "formation.ProposalDecision.decided_by": _trace("locked or forbade a placement"),
}


NOT_PERSONAL: dict[str, str] = {
    # Describe the kind of access, not the person: values never enter the log.
    "audit.AuditEvent.action": "the kind of access (read, create, …)",
    "audit.AuditEvent.object_type": "the kind of object, e.g. participants.contact",
    "audit.AuditEvent.fields": "names of the fields touched, never their values",
    "audit.AuditEvent.purpose": "why, in a few fixed words (e.g. 'staff member page')",
    # The hash chain over the audit log: hashes and sequence numbers only.
    **{
        f"audit.AuditSeal.{name}": "hash chain over the audit log: hashes and order, no content"
        for name in ["sequence", "event", "event_hash", "previous_hash", "chain_hash", "sealed_at"]
    },
    # Retention's prune records of the audit log: where the chain now starts, counts and times.
    **{
        f"audit.AuditPrune.{name}": "record of a retention prune of the audit log: sequence "
        "numbers, a hash, counts and times, no content"
        for name in [
            "through_sequence",
            "chain_hash",
            "previous_through",
            "cutoff",
            "events_removed",
            "oldest_removed",
            "newest_removed",
            "pruned_at",
            "transaction_id",
        ]
    },
    # About a group as a whole, not about one person.
    "groups.GroupStatusChange.from_status": "a group's status, not a person's",
    "groups.GroupStatusChange.to_status": "a group's status, not a person's",
    "groups.GroupStatusChange.reason": "why a group's status changed (about the group)",
    "groups.GroupStatusChange.at": "when a group's status changed",
    "groups.MeetingLog.theme_covered": "which theme the meeting covered",
    "groups.MeetingLog.atmosphere": "the group's atmosphere as a whole (1–5), no one named",
    "groups.MeetingLog.concern": "a flag on the meeting that names no participant",
    "groups.MeetingLog.contact_coordinator": "a flag asking the coordinator to call the group's "
    "facilitators; names no participant",
    # Secrets and credentials of links: hashes of random tokens, no content about anyone.
    "links.SecureLink.token_hash": "SHA-256 of a random token; says nothing about a person",
    "groups.CalendarFeed.token_hash": "SHA-256 of a random token; says nothing about a person",
    "groups.CalendarFeed.kind": "whether the feed is a facilitator's or a group's",
    "groups.CalendarFeed.revoked_at": "when a feed link stopped working",
    # Sending machinery of the outbox: never an address or a text.
    "notifications.Notification.dedupe_key": "idempotency key of template and record ids",
    "notifications.Notification.context": "ids of the objects a message concerns, no content",
    "notifications.Notification.attempts": "count of send attempts",
    "notifications.Notification.error": "operator's reason for a failure; never an address",
    "notifications.Notification.claimed_at": "sender's lock time",
    "notifications.Notification.retry_after": "when a retry may happen",
    "notifications.Notification.provider_message_id": "the provider's message id for tracing",
    "notifications.Notification.delivery_detail": "provider's bounce reason; never an address",
    # Questionnaire metadata: what was asked and how it was scored, not what was answered.
    "questionnaires.Answer.item_code": "names the question (from the instrument file)",
    "questionnaires.Score.scoring_version": "which scoring rule was used",
    "questionnaires.Score.engine_version": "which scoring engine was used",
    "questionnaires.Score.is_current": "whether this is the current score of the response",
    "questionnaires.Score.computed_at": "when the score was computed (a rescoring time)",
    "questionnaires.ImportRun.file_name": "the uploaded file's name (REDCap export names)",
    "questionnaires.ImportRun.file_sha256": "fingerprint of the file",
    "questionnaires.ImportRun.events": "mapping of REDCap events to waves",
    "questionnaires.ImportRun.paper_consent_confirmed": "the importer's confirmation, a flag",
    "questionnaires.ImportRun.status": "state of the import run",
    "questionnaires.ImportRun.summary": "counts of rows checked and imported",
    "questionnaires.ImportRun.finished_at": "when the run ended",
    # Optimiser run figures: aggregates over everyone in the run.
    **{
        f"formation.Proposal.{name}": "figures of the optimiser run as a whole"
        for name in [
            "status",
            "input_hash",
            "solver_version",
            "solver",
            "solver_status",
            "time_limit",
            "objective",
            "objective_terms",
            "bound",
            "gap",
            "solve_seconds",
            "people_count",
            "group_count",
            "baseline",
            "suggestions",
        ]
    },
    # Reports and exports: parameters and aggregates, the file lives outside the database.
    **{
        f"evaluation.ReportRun.{name}": "report parameters and progress"
        for name in ["scope", "status", "progress", "stage", "error", "finished_at"]
    },
    "evaluation.ReportRun.result": "aggregate figures with every cell under 5 withheld",
    **{
        f"evaluation.Export.{name}": "export parameters, progress and file facts"
        for name in [
            "scope",
            "options",
            "layout",
            "format",
            "status",
            "progress",
            "row_count",
            "participant_count",
            "file_name",
            "file_size",
            "error",
            "finished_at",
            "expires_at",
        ]
    },
}


#: Reference and configuration data: places, texts, plans and instruments, no one's data.
REFERENCE_MODELS = frozenset(
    {
        "organisations.Postcode",
        "organisations.Organisation",
        "organisations.Venue",
        "courseplans.CoursePlan",
        "courseplans.CoursePlanMeeting",
        "consents.ConsentText",
        "intake.ReferralDestination",
        "groups.PeerGroup",
        "groups.Meeting",
        "questionnaires.InstrumentVersion",
        "questionnaires.MeasurementPlan",
        "questionnaires.PlanInstrument",
    }
)

#: Targets of "belongs to" links: organisational objects and runs.
ORGANISATIONAL_TARGETS = REFERENCE_MODELS | {"formation.Proposal", "questionnaires.ImportRun"}

#: Targets of links between one person's own records: each carries its own register entries.
PERSON_RECORD_TARGETS = frozenset(
    {
        "participants.Participant",
        "enquiries.Enquiry",
        "enrolments.Enrolment",
        "questionnaires.Invitation",
        "questionnaires.Response",
        "facilitators.FacilitatorProfile",
    }
)

RULES: tuple[NotPersonalRule, ...] = (
    NotPersonalRule(
        "row identifiers",
        "`id` and `public_id`: sequential or random keys, meaningless outside Spejl; they "
        "identify a row, whose own fields carry any personal data",
        lambda f: f.related_model is None and f.name in {"id", "public_id"},
    ),
    NotPersonalRule(
        "bookkeeping timestamps",
        "`created_at` and `updated_at`: when a row was written; on a row about a person they "
        "share that row's entry (purpose, access, retention) and are erased with it",
        lambda f: f.related_model is None and f.name in {"created_at", "updated_at"},
    ),
    NotPersonalRule(
        "reference and configuration data",
        "postcodes, organisations, venues, groups and meetings, course plans, consent texts, "
        "referral destinations, instruments and measurement plans: no one's data (links to "
        "staff accounts excepted: those are registered)",
        lambda f: f.model in REFERENCE_MODELS and f.related_model != STAFF_USER,
    ),
    NotPersonalRule(
        "links to organisational objects",
        "foreign keys and many-to-many links to organisations, venues, postcodes, groups, "
        "meetings, plans, texts, instruments, proposals and import runs; on a row about a "
        "person they are covered by that row's entry",
        lambda f: f.related_model in ORGANISATIONAL_TARGETS,
    ),
    NotPersonalRule(
        "links between a person's own records",
        "foreign keys to a participant, enquiry, enrolment, invitation, response or facilitator "
        "profile: they carry no content; the row's own fields and the target are registered",
        lambda f: f.related_model in PERSON_RECORD_TARGETS,
    ),
)


def decide(field: FieldFacts) -> PersonalField | str | None:
    """The decision for one field: its register entry, the reason it is not personal (an
    explicit entry's or a rule's), or ``None`` when nothing decides it yet."""
    if field.key in REGISTER:
        return REGISTER[field.key]
    if field.key in NOT_PERSONAL:
        return NOT_PERSONAL[field.key]
    for rule in RULES:
        if rule.applies(field):
            return rule.reason
    return None


def rule_for(field: FieldFacts) -> NotPersonalRule | None:
    """The rule that decides a field not in either explicit list, if any."""
    if field.key in REGISTER or field.key in NOT_PERSONAL:
        return None
    return next((rule for rule in RULES if rule.applies(field)), None)


def fields_needing_review(fields: Iterable[FieldFacts]) -> list[str]:
    """The keys of the given fields that no entry and no rule decides, sorted."""
    return sorted(f.key for f in fields if decide(f) is None)


def spejl_model_fields() -> list[FieldFacts]:
    """Every concrete field (and many-to-many) of every model of Spejl's own apps."""
    from django.apps import apps

    facts: list[FieldFacts] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("spejl."):
            continue
        for model in config.get_models():
            meta = model._meta
            if meta.abstract or meta.proxy:
                continue
            for field in meta.get_fields():
                # Reverse relations belong to the other model; skip them.
                if field.auto_created and not field.concrete:
                    continue
                if not (field.concrete or field.many_to_many):
                    continue
                related = field.related_model if field.is_relation else None
                facts.append(
                    FieldFacts(
                        model=meta.label,
                        name=field.name,
                        related_model=None if related is None else related._meta.label,
                    )
                )
    return facts


def model_fields_needing_review() -> list[str]:
    """Fields of Spejl's models that are neither registered nor judged not personal."""
    return fields_needing_review(spejl_model_fields())


def stale_entries() -> list[str]:
    """Register or not-personal keys that name no existing field (a renamed or removed one)."""
    existing = {f.key for f in spejl_model_fields()}
    return sorted((set(REGISTER) | set(NOT_PERSONAL)) - existing)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown() -> str:
    """The register as Markdown for ``docs/privacy.md``: the personal fields by category
    (grouped per model and entry), then what was judged not personal and why."""
    fields = spejl_model_fields()
    by_key = {f.key: f for f in fields}
    personal = [key for key in REGISTER if key in by_key]
    explicit = [key for key in NOT_PERSONAL if key in by_key]
    by_rule: dict[str, int] = {rule.name: 0 for rule in RULES}
    for field in fields:
        rule = rule_for(field)
        if rule is not None:
            by_rule[rule.name] += 1
    models = {f.model for f in fields}
    lines = [
        f"{len(fields)} fields in {len(models)} models: **{len(personal)} personal**, "
        f"{len(explicit)} judged not personal one by one, {sum(by_rule.values())} not personal "
        f"by rule. Fields marked **art. 9** are, or may reveal, health data.",
        "",
    ]
    for category in Category:
        rows: list[tuple[str, list[str], PersonalField]] = []
        for key in personal:
            entry = REGISTER[key]
            if entry.category != category:
                continue
            model, _, name = key.rpartition(".")
            if rows and rows[-1][0] == model and rows[-1][2] == entry:
                rows[-1][1].append(name)
            else:
                rows.append((model, [name], entry))
        lines += [
            f"### {category.value.capitalize()}",
            "",
            "| model | fields | art. 9 | purpose | legal basis | who can see it | retention |",
            "|---|---|---|---|---|---|---|",
        ]
        for model, names, entry in rows:
            cells = [
                f"`{model}`",
                ", ".join(f"`{n}`" for n in names),
                "yes" if entry.special else "",
                entry.purpose,
                entry.legal_basis,
                entry.visible_to,
                entry.retention,
            ]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
    lines += [
        "### Not personal, by rule",
        "",
        "| rule | fields | why |",
        "|---|---|---|",
    ]
    for rule in RULES:
        lines.append(f"| {rule.name} | {by_rule[rule.name]} | {_cell(rule.reason)} |")
    lines += [
        "",
        "### Not personal, one by one",
        "",
        "| field | why |",
        "|---|---|",
    ]
    for key in explicit:
        lines.append(f"| `{key}` | {_cell(NOT_PERSONAL[key])} |")
    return "\n".join(lines) + "\n"
