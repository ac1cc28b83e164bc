from __future__ import annotations

from collections.abc import Callable

import pytest

from spejl.conftest import World
from spejl.consents.loader import load_all
from spejl.consents.models import ConsentText
from spejl.consents.selectors import current_texts
from spejl.consents.tests.fixtures import participant_a
from spejl.organisations.models import Organisation
from spejl.participants.models import Contact, Participant


@pytest.fixture
def texts(db: None) -> dict[str, ConsentText]:
    """The shipped texts, version 1 of each purpose (loaded by a migration; loaded again
    after a transactional test's flush), by purpose."""
    load_all(ConsentText)
    return current_texts()


@pytest.fixture
def participant(world: World, texts: dict[str, ConsentText]) -> Participant:
    """Maja, a participant of organisation A."""
    return participant_a(world)


@pytest.fixture
def make_participant(world: World) -> Callable[..., Participant]:
    """``make_participant(organisation=world.org_b, first_name="Ole")``."""

    def make(*, organisation: Organisation | None = None, first_name: str = "Kim") -> Participant:
        participant = Participant.objects.create(organisation=organisation or world.org_a)
        Contact.objects.create(participant=participant, first_name=first_name)
        return participant

    return make
