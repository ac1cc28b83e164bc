"""Demo data: the national secretariat, 21 member organisations in real Danish towns across the
five regions, venues and one login per role. Idempotent: running it again changes nothing.

The people and addresses are invented. Later features extend :func:`seed_demo`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.functional import Promise

from spejl.accounts.models import Membership, Role, User
from spejl.organisations.models import Organisation, OrganisationKind, Postcode, Region, Venue

StrOrPromise = str | Promise

DEMO_PASSWORD = "spejl-demo-2026"  # noqa: S105 - demo logins only, needs SPEJL_DEMO  # nosec B105
DEMO_DOMAIN = "spejl.demo"


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    municipality: str
    region: Region
    postcode: str
    street: str


NATIONAL = DemoOrganisation(
    "frise",
    "Frivilligcentre & Selvhjælp Danmark (sekretariat)",
    "Vejle",
    Region.SYDDANMARK,
    "7100",
    "Dæmningen 34",
)

MEMBERS = [
    DemoOrganisation(
        "aalborg",
        "Frivilligcenter Aalborg",
        "Aalborg",
        Region.NORDJYLLAND,
        "9000",
        "Danmarksgade 18",
    ),
    DemoOrganisation(
        "hjoerring",
        "Frivilligcenter Hjørring",
        "Hjørring",
        Region.NORDJYLLAND,
        "9800",
        "Springvandspladsen 4",
    ),
    DemoOrganisation(
        "frederikshavn",
        "Selvhjælp Frederikshavn",
        "Frederikshavn",
        Region.NORDJYLLAND,
        "9900",
        "Danmarksgade 50",
    ),
    DemoOrganisation(
        "aarhus", "Selvhjælp Aarhus", "Aarhus", Region.MIDTJYLLAND, "8000", "Mejlgade 37"
    ),
    DemoOrganisation(
        "randers",
        "Frivilligcenter Randers",
        "Randers",
        Region.MIDTJYLLAND,
        "8900",
        "Rådhustorvet 2",
    ),
    DemoOrganisation(
        "viborg", "Frivilligcenter Viborg", "Viborg", Region.MIDTJYLLAND, "8800", "Vestergade 5"
    ),
    DemoOrganisation(
        "herning", "Frivilligcenter Herning", "Herning", Region.MIDTJYLLAND, "7400", "Bredgade 11"
    ),
    DemoOrganisation(
        "odense",
        "Frivilligcenter og Selvhjælp Odense",
        "Odense",
        Region.SYDDANMARK,
        "5000",
        "Klosterbakken 2",
    ),
    DemoOrganisation(
        "esbjerg", "Frivilligcenter Esbjerg", "Esbjerg", Region.SYDDANMARK, "6700", "Kongensgade 44"
    ),
    DemoOrganisation(
        "kolding", "Frivilligcenter Kolding", "Kolding", Region.SYDDANMARK, "6000", "Låsbygade 20"
    ),
    DemoOrganisation(
        "soenderborg",
        "Frivilligcenter Sønderborg",
        "Sønderborg",
        Region.SYDDANMARK,
        "6400",
        "Perlegade 9",
    ),
    DemoOrganisation(
        "svendborg", "Selvhjælp Svendborg", "Svendborg", Region.SYDDANMARK, "5700", "Gerritsgade 12"
    ),
    DemoOrganisation(
        "koebenhavn",
        "Selvhjælp København",
        "København",
        Region.HOVEDSTADEN,
        "1550",
        "Vester Voldgade 7",
    ),
    DemoOrganisation(
        "frederiksberg",
        "Frivilligcenter Frederiksberg",
        "Frederiksberg",
        Region.HOVEDSTADEN,
        "2000",
        "Falkoner Allé 30",
    ),
    DemoOrganisation(
        "hilleroed",
        "Frivilligcenter Hillerød",
        "Hillerød",
        Region.HOVEDSTADEN,
        "3400",
        "Slotsgade 6",
    ),
    DemoOrganisation(
        "helsingoer",
        "Frivilligcenter Helsingør",
        "Helsingør",
        Region.HOVEDSTADEN,
        "3000",
        "Stengade 21",
    ),
    DemoOrganisation(
        "bornholm",
        "Frivilligcenter Bornholm",
        "Bornholm",
        Region.HOVEDSTADEN,
        "3700",
        "Store Torv 3",
    ),
    DemoOrganisation(
        "roskilde", "Frivilligcenter Roskilde", "Roskilde", Region.SJAELLAND, "4000", "Algade 14"
    ),
    DemoOrganisation(
        "naestved", "Frivilligcenter Næstved", "Næstved", Region.SJAELLAND, "4700", "Axeltorv 8"
    ),
    DemoOrganisation(
        "holbaek", "Selvhjælp Holbæk", "Holbæk", Region.SJAELLAND, "4300", "Ahlgade 25"
    ),
    DemoOrganisation(
        "slagelse", "Frivilligcenter Slagelse", "Slagelse", Region.SJAELLAND, "4200", "Løvegade 10"
    ),
]

FIRST_NAMES = [
    "Anne",
    "Bente",
    "Carsten",
    "Dorthe",
    "Erik",
    "Frida",
    "Gitte",
    "Henrik",
    "Inge",
    "Jens",
    "Karen",
    "Lars",
    "Mette",
    "Niels",
    "Ole",
    "Pia",
    "Rasmus",
    "Susanne",
    "Torben",
    "Ulla",
    "Vibeke",
    "Åse",
    "Søren",
    "Birgit",
]
LAST_NAMES = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
    "Kjær",
    "Holm",
    "Lund",
    "Bæk",
    "Dahl",
]


@dataclass(frozen=True)
class DemoLogin:
    role: StrOrPromise
    email: str
    organisation: str


def _organisation(spec: DemoOrganisation, kind: OrganisationKind) -> Organisation:
    organisation, _created = Organisation.objects.update_or_create(
        slug=spec.slug,
        defaults={
            "name": spec.name,
            "kind": kind,
            "municipality": spec.municipality,
            "region": spec.region,
            "postcode": Postcode.objects.get(code=spec.postcode),
            "contact_email": f"kontakt@{spec.slug}.{DEMO_DOMAIN}",
            "contact_phone": "70 20 30 40",
        },
    )
    return organisation


def _venue(organisation: Organisation, name: str, street: str, *, step_free: bool) -> Venue:
    postcode = organisation.postcode
    venue, _created = Venue.objects.update_or_create(
        organisation=organisation,
        name=name,
        defaults={
            "street_address": street,
            "postcode": postcode,
            "latitude": postcode.latitude,
            "longitude": postcode.longitude,
            "step_free_access": step_free,
            "accessible_toilet": step_free,
            "hearing_loop": not step_free,
        },
    )
    return venue


@functools.cache
def demo_password_hash() -> str:
    """The demo password hashed once: hashing is deliberately slow, and every demo login
    shares the same password."""
    return make_password(DEMO_PASSWORD)


def demo_user(email: str, full_name: str) -> User:
    """The demo login with this e-mail, created with the demo password if missing."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, full_name=full_name)
        user.password = demo_password_hash()
        user.save(update_fields=["password"])
    return user


def _role(user: User, role: Role, organisation: Organisation | None) -> None:
    Membership.objects.get_or_create(user=user, role=role, organisation=organisation)


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    """Create (or leave as they are) the demo organisations, venues and logins."""
    logins: list[DemoLogin] = []
    national = _organisation(NATIONAL, OrganisationKind.NATIONAL)
    _venue(national, "Sekretariatets mødelokale", NATIONAL.street, step_free=True)

    admin = demo_user(f"admin@{DEMO_DOMAIN}", "Hanne Østergaard")
    _role(admin, Role.NATIONAL_ADMIN, None)
    logins.append(DemoLogin(Role.NATIONAL_ADMIN.label, admin.email, national.name))
    evaluator = demo_user(f"evaluator@{DEMO_DOMAIN}", "Jonas Brøndum")
    _role(evaluator, Role.EVALUATOR, None)
    logins.append(DemoLogin(Role.EVALUATOR.label, evaluator.email, "—"))

    organisations: dict[str, Organisation] = {}
    for index, spec in enumerate(MEMBERS):
        organisation = _organisation(spec, OrganisationKind.MEMBER)
        organisations[spec.slug] = organisation
        _venue(organisation, f"{spec.name}, mødelokalet", spec.street, step_free=index % 3 != 0)
        _venue(
            organisation,
            f"{spec.municipality} Bibliotek, lokale 2",
            "Biblioteksvej 1",
            step_free=True,
        )
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[index % len(LAST_NAMES)]
        coordinator = demo_user(f"koordinator.{spec.slug}@{DEMO_DOMAIN}", f"{first} {last}")
        _role(coordinator, Role.COORDINATOR, organisation)
        first = FIRST_NAMES[(index + 7) % len(FIRST_NAMES)]
        last = LAST_NAMES[(index + 11) % len(LAST_NAMES)]
        facilitator = demo_user(f"facilitator.{spec.slug}@{DEMO_DOMAIN}", f"{first} {last}")
        _role(facilitator, Role.FACILITATOR, organisation)
        if spec.slug in {"aarhus", "koebenhavn", "odense"}:
            logins.append(DemoLogin(Role.COORDINATOR.label, coordinator.email, organisation.name))
            logins.append(DemoLogin(Role.FACILITATOR.label, facilitator.email, organisation.name))

    # One volunteer who holds roles in two organisations, as many do.
    both = demo_user(f"frivillig.to.steder@{DEMO_DOMAIN}", "Signe Aagaard")
    _role(both, Role.FACILITATOR, organisations["aarhus"])
    _role(both, Role.COORDINATOR, organisations["randers"])
    logins.append(
        DemoLogin(
            f"{Role.FACILITATOR.label} + {Role.COORDINATOR.label}",
            both.email,
            f"{organisations['aarhus'].name} + {organisations['randers'].name}",
        )
    )
    return logins
