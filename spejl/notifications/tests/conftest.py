"""Fixtures for the notifications tests: SMS in memory, tasks run at once, a participant."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from spejl.conftest import World
from spejl.notifications.sms import SmsMessage
from spejl.notifications.testing import use_immediate_tasks, use_locmem_sms
from spejl.participants.models import Contact, Participant


@pytest.fixture(autouse=True)
def sms_outbox(settings: Any) -> list[SmsMessage]:
    use_immediate_tasks(settings)
    return use_locmem_sms(settings)


@pytest.fixture
def make_participant(world: World) -> Callable[..., Participant]:
    """``make_participant(language="en", phone="")`` → a participant of org A with contact data."""

    def make(
        *, email: str = "maja@example.org", phone: str = "+45 12 34 56 78", language: str = "da"
    ) -> Participant:
        participant = Participant.objects.create(organisation=world.org_a)
        Contact.objects.create(
            participant=participant,
            first_name="Maja",
            email=email,
            phone=phone,
            language=language,
        )
        return participant

    return make
