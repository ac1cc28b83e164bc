"""The confirmation a person gets after asking to join: "we have your enquiry; a coordinator
will contact you within a few days".

Sent through the notifications outbox (``spejl.notifications``) by e-mail, or by text message
when the person gave only a phone number, in the language they used the form in. The
notification row holds the enquiry's public id only; the first name and the organisation are
read when sending, so an enquiry erased meanwhile is simply not written to.
"""

from __future__ import annotations

from typing import Any

from spejl.enquiries.models import Enquiry
from spejl.notifications.models import Notification
from spejl.notifications.services import notification_queue, register_context_builder
from spejl.participants.models import Channel

ENQUIRY_RECEIVED = "enquiry_received"


def _enquiry_received_context(notification: Notification) -> dict[str, Any]:
    enquiry = Enquiry.objects.select_related("organisation", "group").get(
        public_id=notification.context["enquiry"]
    )
    return {
        "first_name": enquiry.first_name,
        "organisation": enquiry.organisation,
        "group": enquiry.group,
    }


register_context_builder(ENQUIRY_RECEIVED, _enquiry_received_context)


def confirmation_channel(enquiry: Enquiry) -> str:
    """E-mail when the person gave an address, otherwise SMS; empty when neither."""
    if enquiry.email:
        return str(Channel.EMAIL)
    if enquiry.phone:
        return str(Channel.SMS)
    return ""


def queue_enquiry_received(*, enquiry: Enquiry) -> Notification | None:
    """Queue the confirmation of a new public enquiry, once per enquiry. Call it inside the
    transaction that created the enquiry. Personal data: none written (ids only)."""
    channel = confirmation_channel(enquiry)
    if not channel:
        return None
    return notification_queue(
        template=ENQUIRY_RECEIVED,
        channel=channel,
        recipient_enquiry=enquiry,
        organisation=enquiry.organisation,
        context={"enquiry": str(enquiry.public_id)},
        dedupe_key=f"{ENQUIRY_RECEIVED}:{enquiry.public_id}",
    )
