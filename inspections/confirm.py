"""The affected resident's confirmation of a rectification (当事群众确认): the private link to the public page, and
the SMS that carries it, sent once through the case loop's notice channels (cases.notify) by the outbox.

The Celery task lives here, beside its message, and InspectionsConfig.ready imports this module so that a worker
knows it (inspections/tasks.py is the ladder's)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from cases.notify import send_outside
from wudu import outbox

from .models import EvidenceKind, TaskEvidence


def confirmation_url(evidence: TaskEvidence) -> str:
    base = settings.PUBLIC_BASE_URL or "http://127.0.0.1:8000"
    return base.rstrip("/") + reverse("rectification_confirm", args=[evidence.token])


def confirmation_message(evidence: TaskEvidence) -> str:
    return _("【网格通】%(name)s您好，请确认您反映的问题是否已整改到位：%(link)s") % {
        "name": evidence.resident_name, "link": confirmation_url(evidence)}


@shared_task(time_limit=60, soft_time_limit=45, autoretry_for=(OSError,), max_retries=3, retry_backoff=True)
def rectification_confirm_request_task(evidence_id: int) -> bool:
    """Send the resident their link, once per request (a redelivered message finds it done and sends nothing)."""
    evidence = TaskEvidence.objects.filter(pk=evidence_id, kind=EvidenceKind.RESIDENT).first()
    if evidence is None or not evidence.resident_mobile:
        return False
    with outbox.once(f"rectification-confirm-sms:{evidence.pk}") as first:
        if first:
            send_outside(evidence.resident_mobile, confirmation_message(evidence))
    return first
