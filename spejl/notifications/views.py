"""The delivery-receipt webhook: an SMS (or e-mail) provider reports delivered or bounced.

Switched off (404) unless ``SPEJL_DELIVERY_WEBHOOK_SECRET`` is set; the provider sends that
secret in the ``X-Spejl-Webhook-Secret`` header. The body is JSON:
``{"message_id": "…", "status": "delivered" | "bounced", "detail": "…"}``.
"""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from spejl.notifications.models import DeliveryOutcome
from spejl.notifications.services import notification_record_delivery


@csrf_exempt  # a machine caller authenticated by the shared secret, not a browser form
@require_POST
def delivery_receipt(request: HttpRequest) -> HttpResponse:
    secret = settings.SPEJL_DELIVERY_WEBHOOK_SECRET
    if not secret:
        raise Http404
    given = request.headers.get("X-Spejl-Webhook-Secret", "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return JsonResponse({"error": "wrong secret"}, status=403)
    try:
        data = json.loads(request.body or b"{}")
        message_id = str(data["message_id"])
        outcome = str(data["status"])
        detail = str(data.get("detail", ""))
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "expected JSON with message_id and status"}, status=400)
    if outcome not in DeliveryOutcome.values:
        return JsonResponse(
            {"error": f"status must be one of {sorted(DeliveryOutcome.values)}"}, status=400
        )
    recorded = notification_record_delivery(
        provider_message_id=message_id, outcome=outcome, detail=detail
    )
    return JsonResponse({"recorded": recorded}, status=200 if recorded else 404)
