"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from spejl.accounts.models import Membership, Role, User
from spejl.organisations.models import Organisation, OrganisationKind, Postcode, Venue

TEST_PASSWORD = "correct-horse-battery-9"


def postcode(code: str) -> Postcode:
    return Postcode.objects.get(code=code)


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Frivilligcenter {n}")
    kind = OrganisationKind.MEMBER
    municipality = "Aarhus"
    region = "1082"
    postcode = factory.LazyFunction(lambda: postcode("8000"))


class VenueFactory(DjangoModelFactory[Venue]):
    class Meta:
        model = Venue

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Mødelokale {n}")
    street_address = "Mejlgade 37"
    postcode = factory.LazyAttribute(lambda o: o.organisation.postcode)
    latitude = factory.LazyAttribute(lambda o: o.postcode.latitude)
    longitude = factory.LazyAttribute(lambda o: o.postcode.longitude)


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person Nummer {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.COORDINATOR
    organisation = factory.SubFactory(OrganisationFactory)
