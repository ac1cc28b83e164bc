"""Demo data for the way in: enquiries (web, phone, referrals), intake conversations with
screenings and decisions (including referrals elsewhere), consents, waitlisted people and open
offers. Idempotent (skips organisations that already have enquiries) and deterministic.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from spejl.consents.models import Consent, ConsentMethod, ConsentPurpose, ConsentText
from spejl.enquiries.models import Enquiry, EnquirySource, EnquiryStatus, HeardAbout, Referrer
from spejl.enrolments.models import Enrolment, EnrolmentState, EnrolmentTransition
from spejl.groups.models import GroupStatus, PeerGroup
from spejl.intake.models import Decision, Intake, IntakeMode, IntakeStatus, ReferralDestination
from spejl.organisations.models import Organisation, OrganisationKind
from spejl.participants.models import Channel, Contact, Gender, Participant

NAMES = [
    "Anni",
    "Bodil",
    "Claus",
    "Ditte",
    "Erling",
    "Fie",
    "Georg",
    "Hanne",
    "Inger",
    "Jonna",
    "Karl",
    "Lise",
    "Morten",
    "Nina",
    "Ove",
    "Pernille",
    "Rune",
    "Sanne",
    "Thor",
    "Vera",
]
TIMES = ["mon-evening", "tue-afternoon", "wed-evening", "thu-morning", "thu-evening", "fri-morning"]


def _enquiry(
    organisation: Organisation,
    rng: random.Random,
    *,
    status: str,
    source: str,
    days_ago: int,
    group: PeerGroup | None = None,
) -> Enquiry:
    name = rng.choice(NAMES)
    created = timezone.now() - timedelta(days=days_ago, hours=rng.randint(0, 8))
    enquiry = Enquiry.objects.create(
        organisation=organisation,
        group=group,
        source=source,
        referrer=Referrer.GP if source == EnquirySource.REFERRAL else "",
        first_name=name,
        phone=f"+45 98 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        email=f"{name.lower()}{rng.randint(1, 99)}@example.org",
        postcode=organisation.postcode,
        birth_year=rng.randint(1945, 2005),
        heard_about=rng.choice(HeardAbout.values),
        preferred_times=rng.sample(TIMES, 2),
        message=rng.choice(
            [
                "",
                "Jeg har været alene længe og vil gerne prøve en gruppe.",
                "Min læge foreslog, at jeg kontakter jer.",
            ]
        ),
        status=status,
    )
    Enquiry.objects.filter(pk=enquiry.pk).update(created_at=created)
    return enquiry


def _participant_from(enquiry: Enquiry, rng: random.Random) -> Participant:
    participant = Participant.objects.create(
        organisation=enquiry.organisation,
        birth_year=enquiry.birth_year,
        gender=rng.choice([Gender.WOMAN, Gender.WOMAN, Gender.MAN, ""]),
    )
    Contact.objects.create(
        participant=participant,
        first_name=enquiry.first_name,
        phone=enquiry.phone,
        email=enquiry.email,
        postcode=enquiry.postcode,
        preferred_channel=rng.choice([Channel.EMAIL, Channel.SMS]),
    )
    enquiry.participant = participant
    enquiry.status = EnquiryStatus.CONVERTED
    enquiry.save(update_fields=["participant", "status"])
    return participant


def _intake(
    enquiry: Enquiry,
    rng: random.Random,
    *,
    held: bool,
    decision: str = "",
    destination: ReferralDestination | None = None,
) -> Intake:
    when = timezone.localtime() + timedelta(
        days=rng.randint(2, 9) if not held else -rng.randint(3, 20)
    )
    items = (
        [rng.choice([2, 3, 3]), rng.choice([1, 2, 3]), rng.choice([2, 3])]
        if held
        else [None, None, None]
    )
    return Intake.objects.create(
        organisation=enquiry.organisation,
        enquiry=enquiry,
        scheduled_at=datetime.combine(
            when.date(), time(rng.choice([10, 13, 15])), tzinfo=timezone.get_current_timezone()
        ),
        mode=rng.choice(IntakeMode.values),
        place="Frivilligcentret" if rng.random() < 0.6 else "",
        status=IntakeStatus.HELD if held else IntakeStatus.SCHEDULED,
        age_ok=True if held else None,
        target="adults" if held else "",
        tils_1=items[0],
        tils_2=items[1],
        tils_3=items[2],
        tils_score=sum(i for i in items if i is not None) if held else None,
        decision=decision,
        referral_destination=destination,
        decision_note="Aftalt at tage kontakt igen om et halvt år."
        if decision == "not_now"
        else "",
        decided_at=timezone.now() if decision else None,
        preferred_times=enquiry.preferred_times,
        max_travel_km=rng.choice([5, 10, 15, 25]),
        composition_wishes=rng.choice(["", "Gerne nogen på min alder", "Ikke den eneste mand"]),
    )


def _consents(participant: Participant, rng: random.Random, texts: dict[str, ConsentText]) -> None:
    for purpose in (
        ConsentPurpose.PARTICIPATION,
        ConsentPurpose.EVALUATION,
        ConsentPurpose.FOLLOW_UP,
    ):
        if purpose != ConsentPurpose.PARTICIPATION and rng.random() < 0.15:
            continue
        text = texts.get(purpose)
        if text is None:
            continue
        Consent.objects.create(
            participant=participant,
            purpose=purpose,
            text=text,
            given_at=timezone.now() - timedelta(days=rng.randint(10, 60)),
            method=rng.choice([ConsentMethod.PAPER, ConsentMethod.DIGITAL]),
        )


def seed_journey() -> int:
    """Create the way-in demo data for every member organisation without enquiries yet."""
    rng = random.Random(4711)  # noqa: S311 - seeded demo data, not security  # nosec B311
    texts = {
        t.purpose: t
        for t in ConsentText.objects.filter(status="published").order_by("purpose", "version")
    }
    destinations = list(ReferralDestination.objects.filter(organisation__isnull=True))
    created = 0
    for organisation in Organisation.objects.filter(kind=OrganisationKind.MEMBER).order_by("slug"):
        if Enquiry.objects.filter(organisation=organisation).exists():
            continue
        created += 1
        recruiting = PeerGroup.objects.filter(
            organisation=organisation, status=GroupStatus.RECRUITING
        ).first()
        for days in (0, 1, 3):
            _enquiry(
                organisation,
                rng,
                status=EnquiryStatus.NEW,
                source=EnquirySource.WEB,
                days_ago=days,
                group=recruiting if days == 1 else None,
            )
        _enquiry(
            organisation,
            rng,
            status=EnquiryStatus.CONTACTED,
            source=EnquirySource.REFERRAL,
            days_ago=6,
        )
        for _ in range(2):
            enquiry = _enquiry(
                organisation,
                rng,
                status=EnquiryStatus.INTAKE,
                source=EnquirySource.PHONE,
                days_ago=8,
            )
            _intake(enquiry, rng, held=False)
        pending = _enquiry(
            organisation, rng, status=EnquiryStatus.INTAKE, source=EnquirySource.WEB, days_ago=12
        )
        intake = _intake(pending, rng, held=True)
        intake.participant = _participant_from(pending, rng)
        intake.save(update_fields=["participant"])
        if destinations:
            referred = _enquiry(
                organisation,
                rng,
                status=EnquiryStatus.INTAKE,
                source=EnquirySource.WEB,
                days_ago=20,
            )
            intake = _intake(
                referred,
                rng,
                held=True,
                decision=Decision.REFERRED,
                destination=rng.choice(destinations),
            )
            intake.participant = _participant_from(referred, rng)
            intake.save(update_fields=["participant"])
        for index in range(3):
            suitable = _enquiry(
                organisation,
                rng,
                status=EnquiryStatus.INTAKE,
                source=rng.choice([EnquirySource.WEB, EnquirySource.PHONE]),
                days_ago=25 + 9 * index,
            )
            intake = _intake(suitable, rng, held=True, decision=Decision.SUITABLE)
            participant = _participant_from(suitable, rng)
            intake.participant = participant
            intake.save(update_fields=["participant"])
            _consents(participant, rng, texts)
            offered = index == 0 and recruiting is not None
            enrolment = Enrolment.objects.create(
                participant=participant,
                organisation=organisation,
                group=recruiting if offered else None,
                state=EnrolmentState.OFFERED if offered else EnrolmentState.WAITLISTED,
                offered_at=timezone.now() if offered else None,
                offer_expires_at=timezone.now() + timedelta(days=5) if offered else None,
            )
            Enrolment.objects.filter(pk=enrolment.pk).update(
                waitlisted_at=timezone.now() - timedelta(days=20 + 9 * index)
            )
            EnrolmentTransition.objects.create(
                enrolment=enrolment, to_state="waitlisted", reason="demo"
            )
            if offered:
                EnrolmentTransition.objects.create(
                    enrolment=enrolment,
                    group=recruiting,
                    from_state="waitlisted",
                    to_state="offered",
                    reason="demo",
                )
        # The people already in groups came the same way: an intake and their consents.
        for participant in Participant.objects.filter(
            organisation=organisation, consents__isnull=True, enrolments__group__isnull=False
        ).distinct():
            _consents(participant, rng, texts)
            items = [rng.choice([2, 3]), rng.choice([1, 2, 3]), rng.choice([2, 3])]
            Intake.objects.create(
                organisation=organisation,
                participant=participant,
                scheduled_at=timezone.now() - timedelta(days=rng.randint(40, 200)),
                mode=IntakeMode.IN_PERSON,
                status=IntakeStatus.HELD,
                age_ok=True,
                target="adults",
                tils_1=items[0],
                tils_2=items[1],
                tils_3=items[2],
                tils_score=sum(items),
                decision=Decision.SUITABLE,
                decided_at=timezone.now(),
            )
    return created
