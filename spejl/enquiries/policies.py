"""Rules of enquiries that follow from the data alone (kept apart from *who may*).

Status changes, plausible birth years, Danish phone numbers and the keyed contact fingerprint
used to spot a repeated enquiry without searching personal data in clear.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from spejl.core import fieldcrypto
from spejl.enquiries.models import ContactPreference, EnquiryStatus, HeardAbout
from spejl.enquiries.times import TIME_SLOTS
from spejl.organisations.models import Postcode
from spejl.web.keys import lookup_key, lookup_keys

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

#: Allowed status changes by hand. *Converted* is set only when an intake makes the person a
#: participant (``enquiry_mark_converted``) and is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    EnquiryStatus.NEW: frozenset(
        {EnquiryStatus.CONTACTED, EnquiryStatus.INTAKE, EnquiryStatus.CLOSED}
    ),
    EnquiryStatus.CONTACTED: frozenset({EnquiryStatus.INTAKE, EnquiryStatus.CLOSED}),
    EnquiryStatus.INTAKE: frozenset({EnquiryStatus.CONTACTED, EnquiryStatus.CLOSED}),
    # Closed by mistake, or the person got back in touch: open it again as contacted.
    EnquiryStatus.CLOSED: frozenset({EnquiryStatus.CONTACTED}),
    EnquiryStatus.CONVERTED: frozenset(),
}
#: Changes that need a reason written down.
NEEDS_REASON = frozenset({EnquiryStatus.CLOSED})
#: Statuses still waiting for the organisation to act (the inbox's "open" filter).
OPEN_STATUSES = (EnquiryStatus.NEW, EnquiryStatus.CONTACTED, EnquiryStatus.INTAKE)

#: The groups are for people aged 16 or over; a 15-year-old who asks gets a kind answer.
GROUP_MIN_AGE = 16
YOUNGEST_PLAUSIBLE_AGE = 15
OLDEST_PLAUSIBLE_AGE = 110

#: The same person asking the same organisation again within this time is one enquiry.
DUPLICATE_WINDOW = timedelta(minutes=10)
#: Public enquiries created from one network address per hour.
RATE_LIMIT = 5
RATE_WINDOW_SECONDS = 60 * 60

#: Domain of the contact fingerprint's keyed hash (separates it from other lookup hashes).
FINGERPRINT_DOMAIN = "spejl.enquiries.contact_fingerprint"


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def age_this_year(birth_year: int, year: int) -> int:
    """The age the person reaches during ``year`` (their birthday may still be ahead)."""
    return year - birth_year


def plausible_birth_years(year: int) -> tuple[int, int]:
    """The oldest and youngest birth year accepted in ``year``."""
    return (year - OLDEST_PLAUSIBLE_AGE, year - YOUNGEST_PLAUSIBLE_AGE)


def normalise_phone(text: str) -> str | None:
    """A Danish number (8 digits, optionally +45 or 0045 first, spaces allowed) written as
    ``"+45 12 34 56 78"``; ``None`` if it is not one."""
    return fieldcrypto.normalise_phone(text)


def normalise_email(text: str) -> str:
    return fieldcrypto.normalise_email(text)


def contact_fingerprints(*, email: str, phone: str) -> list[str]:
    """The fingerprints an enquiry from this e-mail (or, without one, this phone number) may
    carry: under the current lookup key first, then under the previous one while a rotation of
    ``SPEJL_LOOKUP_KEY`` is under way (``manage.py rotate_keys``). Empty when neither is given.
    """
    value = fieldcrypto.contact_lookup_value(email=email, phone=phone)
    if not value:
        return []
    return [
        fieldcrypto.lookup_hash(value, key=key, domain=FINGERPRINT_DOMAIN) for key in lookup_keys()
    ]


def contact_fingerprint(*, email: str, phone: str) -> str:
    """A keyed hash (HMAC-SHA256 under ``SPEJL_LOOKUP_KEY``, kept outside the database) of the
    normalised e-mail, or of the phone number's digits when there is no e-mail. Empty when
    neither is given.

    The same address always gives the same fingerprint, so a repeated enquiry is found without
    storing or searching the address in clear; the hash cannot be reversed without the key.
    """
    value = fieldcrypto.contact_lookup_value(email=email, phone=phone)
    if not value:
        return ""
    return fieldcrypto.lookup_hash(value, key=lookup_key(), domain=FINGERPRINT_DOMAIN)


# --- What a person tells us -----------------------------------------------------------------

#: Messages for mistakes a person can make, shown next to the field (Danish and English).
MESSAGES: dict[str, StrPromise] = {
    "phone_invalid": _(
        "Write a Danish phone number of 8 digits, for example 12 34 56 78 or +45 12 34 56 78."
    ),
    "no_contact": _(
        "Give us a phone number or an e-mail address (or both), so that we can reach you."
    ),
    "email_missing": _("You would like an e-mail: please write your e-mail address."),
    "phone_missing": _("You would like a call or a text message: please write your phone number."),
    "birth_year_implausible": _(
        "Please check the year you were born. Write it with four digits, for example 1968."
    ),
    "too_young": _(
        "Thank you for getting in touch. Our groups are for people aged 16 and over, so we "
        "cannot offer you a place yet. You are very welcome to ask again when you turn 16. If "
        "you would like someone to talk to now, you can talk to an adult you trust, a school "
        "counsellor or your own doctor."
    ),
    "times_invalid": _("Choose among the days and times shown."),
    "choice_invalid": _("Choose one of the options shown."),
    "first_name_missing": _("Please write your first name."),
    "postcode_missing": _("Please write your postcode."),
}


@dataclass(frozen=True)
class EnquiryDetails:
    """What the person told us, whether through the public form or to a coordinator.

    Personal data: all of it. The services check it with :func:`details_errors` and store the
    phone number normalised (:func:`normalise_phone`).
    """

    first_name: str = ""
    postcode: Postcode | None = None
    birth_year: int | None = None
    phone: str = ""
    email: str = ""
    preferred_contact: str = ""
    heard_about: str = ""
    preferred_times: tuple[str, ...] = field(default_factory=tuple)
    message: str = ""
    language: str = "da"


def details_errors(details: EnquiryDetails, *, year: int, public: bool) -> dict[str, StrPromise]:
    """Field name → message for every rule the details break (empty when all is well).

    ``public``: the person asks themselves, so a 15-year-old gets the kind answer that the
    groups start at 16; a coordinator registering an enquiry may note a 15-year-old.
    """
    errors: dict[str, StrPromise] = {}
    if not details.first_name.strip():
        errors["first_name"] = MESSAGES["first_name_missing"]
    phone_given = bool(details.phone.strip())
    email_given = bool(details.email.strip())
    if phone_given and normalise_phone(details.phone) is None:
        errors["phone"] = MESSAGES["phone_invalid"]
    if not phone_given and not email_given:
        errors["phone"] = MESSAGES["no_contact"]
    elif details.preferred_contact == ContactPreference.EMAIL and not email_given:
        errors["email"] = MESSAGES["email_missing"]
    elif (
        details.preferred_contact in (ContactPreference.PHONE, ContactPreference.SMS)
        and not phone_given
    ):
        errors["phone"] = MESSAGES["phone_missing"]
    if details.preferred_contact and details.preferred_contact not in ContactPreference.values:
        errors["preferred_contact"] = MESSAGES["choice_invalid"]
    if details.heard_about and details.heard_about not in HeardAbout.values:
        errors["heard_about"] = MESSAGES["choice_invalid"]
    if details.postcode is None:
        errors["postcode"] = MESSAGES["postcode_missing"]
    oldest, youngest = plausible_birth_years(year)
    if details.birth_year is None or not oldest <= details.birth_year <= youngest:
        errors["birth_year"] = MESSAGES["birth_year_implausible"]
    elif public and age_this_year(details.birth_year, year) < GROUP_MIN_AGE:
        errors["birth_year"] = MESSAGES["too_young"]
    if any(code not in TIME_SLOTS for code in details.preferred_times):
        errors["preferred_times"] = MESSAGES["times_invalid"]
    return errors
