"""Who hears about a case step, and through what. In-app notices always; SMS and WeChat are adapters behind
one interface (`Channel.send`), chosen by NOTIFY_CHANNELS; the default channel only logs."""

from __future__ import annotations

import json
import logging
import urllib.request
from collections import deque
from typing import Protocol

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from grids.models import Membership, User
from wudu import outbox
from wudu.logs import redact
from wudu.scope import Role

from . import workflow
from .models import Alert, Case, CaseEvent, Notification, Status

log = logging.getLogger("wudu.notify")


class Channel(Protocol):
    name: str

    def send(self, *, mobile: str, message: str) -> None: ...


class LogChannel:
    """Writes that a notice went out, never its secrets: the resident's tracking link is their key to the case
    (whoever holds it may evaluate), so the token and the mobile number are masked (and again by the handlers'
    filter, wudu/logs.py, on whatever else logs them)."""

    name = "log"

    def send(self, *, mobile: str, message: str) -> None:
        log.info("notice to %s: %s", redact(mobile), redact(message))


# The messages the "memory" channel sent, newest last (the test suite's outbox, like Django's locmem mail backend).
OUTBOX: deque[tuple[str, str]] = deque(maxlen=200)


class MemoryChannel:
    """Keeps the notices in this process (`OUTBOX`): for tests and demos that need to read what a resident got."""

    name = "memory"

    def send(self, *, mobile: str, message: str) -> None:
        OUTBOX.append((mobile, message))


class _WebhookChannel:
    """Posts JSON to a gateway; the gateway (the SMS provider, WeChat's template-message service) is outside."""

    name = ""
    setting = ""

    def send(self, *, mobile: str, message: str) -> None:
        url = getattr(settings, self.setting)
        if not url:
            log.warning("%s channel has no %s; notice dropped", self.name, self.setting)
            return
        body = json.dumps({"mobile": mobile, "message": message}, ensure_ascii=False).encode()
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (configured URL)
                response.read()
        except OSError:
            log.exception("%s channel failed for a notice", self.name)


class SmsChannel(_WebhookChannel):
    name, setting = "sms", "SMS_GATEWAY_URL"


class WeChatChannel(_WebhookChannel):
    name, setting = "wechat", "WECHAT_WEBHOOK_URL"


CHANNELS: dict[str, type] = {"log": LogChannel, "memory": MemoryChannel, "sms": SmsChannel, "wechat": WeChatChannel}


def channels() -> list[Channel]:
    return [CHANNELS[name]() for name in settings.NOTIFY_CHANNELS if name in CHANNELS]


def send_outside(mobile: str, message: str) -> None:
    if not mobile:
        return
    for channel in channels():
        channel.send(mobile=mobile, message=message)


def tracking_url(case: Case) -> str:
    base = settings.PUBLIC_BASE_URL or "http://127.0.0.1:8000"
    return base.rstrip("/") + reverse("cases_public:track", args=[case.tracking_token])


def _members(*, roles: tuple[str, ...], case: Case) -> list[int]:
    """Users holding `roles` for this case: the grid's staff, the district's command center, the department."""
    rows = Membership.objects.filter(role__in=roles)
    grid_roles = [r for r in roles if r in workflow.GRID_STAFF]
    if Role.DEPARTMENT_STAFF in roles:
        rows = rows.filter(department_id=case.department_id) if case.department_id else rows.none()
    elif grid_roles:
        rows = rows.filter(place_id=case.grid_id)
    else:
        rows = rows.filter(place__code=case.grid.code[:6])
    return list(rows.values_list("user_id", flat=True).distinct())


def after_event(event: CaseEvent) -> int:
    """Tell the people whose move it now is (the step's `tell`), the reporter and the resident what the step says
    they hear (workflow.STEPS). Idempotent."""
    case = event.case
    values = {"ref": case.reference, "category": case.category.name,
              "department": case.department.name if case.department_id else ""}
    step = workflow.STEPS.get(event.action)
    if event.action == "create" and event.to_status in (Status.REPORTED, Status.FILED):
        step = workflow.STEPS["escalate"]  # a case entered for the command center reads as reported to it
    roles, message = (step.tell, str(step.message) % values) if step and step.tell else ((), "")
    if event.action == "evaluate" and event.to_status == Status.FILED:
        roles, message = workflow.CENTER, _("信访事项 %(ref)s 群众不满意，已重新打开") % values
    users = set(_members(roles=roles, case=case)) if roles else set()
    if step and step.tell_reporter and case.reporter_id:
        users.add(case.reporter_id)
        message = message or str(step.tell_reporter) % values
    users.discard(event.actor_id)
    made = Notification.objects.bulk_create(
        [Notification(user_id=u, case=case, kind=event.action, message=message, dedupe_key=f"event:{event.pk}")
         for u in sorted(users)],
        ignore_conflicts=True,
    )
    _tell_resident(case, event, step)
    return len(made)


def _tell_resident(case: Case, event: CaseEvent, step: workflow.Step | None) -> None:
    """The resident's SMS of one step, sent once per event: the task is delivered at least once (the outbox), so a
    redelivered one finds the step's key done and sends nothing (wudu.outbox.once)."""
    if not case.resident_mobile:
        return
    link = tracking_url(case)
    if event.action == "create":
        message = _("【网格通】您的诉求已收到，编号 %(ref)s，进度查询：%(link)s") % {"ref": case.reference, "link": link}
    elif step and step.tell_resident:
        message = str(step.tell_resident) % {"ref": case.reference, "link": link}
    else:
        return
    with outbox.once(f"resident-notice:{event.pk}") as first:
        if first:
            send_outside(case.resident_mobile, message)


def timer_notices(case_ids: list[int], alert: str) -> int:
    """Due-soon notices go to the department; overdue ones to the department and the command center."""
    if not case_ids:
        return 0
    cases = Case.objects.filter(pk__in=case_ids).select_related("grid")
    by_department: dict[int, list[int]] = {}
    for user_id, department_id in Membership.objects.filter(
        role=Role.DEPARTMENT_STAFF, department_id__in={c.department_id for c in cases}
    ).values_list("user_id", "department_id"):
        by_department.setdefault(department_id, []).append(user_id)
    center: dict[str, list[int]] = {}
    if alert == Alert.OVERDUE:
        for user_id, code in Membership.objects.filter(role=Role.COMMAND_CENTER).values_list("user_id", "place__code"):
            center.setdefault(code, []).append(user_id)
    notices, outside = [], []
    for case in cases:
        if alert == Alert.OVERDUE:
            message = _("事件 %(ref)s 已超过处置时限") % {"ref": case.reference}
        else:
            message = _("事件 %(ref)s 即将超期，请抓紧处置") % {"ref": case.reference}
        users = set(by_department.get(case.department_id, [])) | set(center.get(case.grid.code[:6], []))
        key = f"{alert}:{case.deadline:%Y%m%d%H%M}"
        notices += [Notification(user_id=u, case=case, kind=alert, message=message, dedupe_key=f"{key}:{case.pk}")
                    for u in sorted(users)]
        outside.append((by_department.get(case.department_id, []), message))
    made = Notification.objects.bulk_create(notices, ignore_conflicts=True)
    mobiles = dict(User.objects.filter(pk__in={u for users, _m in outside for u in users})
                   .values_list("pk", "mobile"))
    for users, message in outside:
        for user_id in users:
            send_outside(mobiles.get(user_id, ""), message)
    return len(made)


def export_ready(sender, *, job, **kwargs) -> None:
    """The kernel's export job is done (wudu.signals.export_finished): tell its owner once."""
    with translation.override(job.language or None):
        message = _("导出已完成：%(label)s。请在“我的导出”中下载。") % {"label": job.label}
    Notification.objects.get_or_create(user_id=job.owner_id, dedupe_key=f"export:{job.pk}",
                                       defaults={"kind": "export_ready", "message": message[:300]})
