"""The audit (等保 安全审计): row history written by PostgreSQL triggers, access events, and the daily seals.

Row history: for every tracked model (TRACKED below) pghistory installs insert, update and delete triggers on the
model's own table; each trigger writes a row into this app's `audit_<model>event` table with the snapshot and the
context of the write (who, from where, which page, task or command: audit/context.py). The triggers are declared on
proxy models of this app, so they live in this app's migrations and no other app changes.

Append-only: UPDATE and DELETE (row level) and TRUNCATE (statement level) are refused by triggers on every table
here (and on cases_caseevent, migration 0002). Only on PostgreSQL: on SQLite, the embedded default, pgtrigger
installs nothing and nothing is recorded by triggers (docs/audit.md).
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bulletins.models import Bulletin, Objection, Restatement, WeightScheme
from cases.models import Case, CaseCategory, CasePhoto, Holiday, HolidayYear, Notification, ReferenceCounter
from grids.models import Department, Membership, OutpostPartner, Place, User
from ledger.models import (
    FindingCategory,
    Household,
    HouseholdTag,
    Patrol,
    Site,
    SpotCheck,
    SpotCheckPhoto,
    Visit,
    VisitPhoto,
)
from outreach.models import (
    BranchMeeting,
    Certificate,
    CertificateCounter,
    CertifiedRecord,
    Event,
    EventPhoto,
    Lecturer,
    LecturerTopic,
    LessonRating,
    LessonRequest,
    MeetingAttendance,
    PartyMember,
    PartyOrganization,
    ServiceRecord,
    Volunteer,
    VolunteerMembership,
    VolunteerOrganization,
)
from wudu.signals import KINDS

FLUSHING = "current_setting('audit.flush', true) = 'on'"


class RefuseTruncate(pgtrigger.Trigger):
    """A statement-level trigger refusing TRUNCATE (pgtrigger's Protect supports only row operations there)."""

    when = pgtrigger.Before
    operation = pgtrigger.Truncate
    level = pgtrigger.Statement

    def get_func(self, model):
        # `manage.py flush` outside production (tests, a developer's database) empties every table at once
        # (audit/management/commands/flush.py); nothing else may.
        return (f"IF {FLUSHING} THEN RETURN NULL; END IF; "
                "RAISE EXCEPTION 'audit: TRUNCATE of % refused (append-only)', TG_TABLE_NAME;")


def append_only_triggers() -> list:
    """Refuse UPDATE and DELETE of a row, and TRUNCATE of the table."""
    return [
        pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        RefuseTruncate(name="no_truncate"),
    ]


# Never snapshot a secret: a password hash, a login time (an access event of its own), the resident's tracking
# link's secret (cases.Case.tracking_token).
NEVER_STORED = {"password", "last_login", "tracking_token"}

# Tracked: every domain table that people or services write. Left out, because they are rebuilt wholesale from
# the tracked ones (their history would be noise, their truth is in their sources): ledger.DailyReport (rebuilt at
# 21:00 and on late data), bulletins.BulletinRow (a bulletin's snapshot rows, written once when it is built);
# cases.CaseEvent (itself an append-only event log, guarded since cases 0002; TRUNCATE guarded by audit 0001);
# outreach.CertificateVerification (an append-only log of public looks, guarded by its own trigger).
TRACKED: list[type[models.Model]] = [
    Place, User, Department, Membership, OutpostPartner,
    HouseholdTag, Household, Site, FindingCategory, Patrol, Visit, VisitPhoto, SpotCheck, SpotCheckPhoto,
    CaseCategory, HolidayYear, Holiday, Case, CasePhoto, ReferenceCounter, Notification,
    PartyOrganization, PartyMember, VolunteerOrganization, Volunteer, VolunteerMembership, Event, EventPhoto,
    ServiceRecord, Certificate, CertifiedRecord, CertificateCounter,
    Lecturer, LecturerTopic, LessonRequest, LessonRating,
    BranchMeeting, MeetingAttendance,
    WeightScheme, Bulletin, Objection, Restatement,
]

EVENT_MODELS: dict[type[models.Model], type[models.Model]] = {}


class RowEvent(pghistory.models.Event):
    """The base of every row-history table: pghistory's id, time and label (insert/update/delete)."""

    class Meta:
        abstract = True


# The person who made a change, as the context stores it (its "user" key): the search filters on this expression.
ACTOR = KeyTextTransform("user", "pgh_context")


def _track(tracked: type[models.Model]) -> type[models.Model]:
    name = tracked.__name__
    proxy = type(f"{name}Tracked", (tracked,), {
        "__module__": __name__,
        "Meta": type("Meta", (), {"proxy": True, "app_label": "audit", "default_permissions": ()}),
    })
    exclude = [f.name for f in tracked._meta.concrete_fields if f.name in NEVER_STORED]
    event = pghistory.create_event_model(
        proxy,
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        exclude=exclude,
        obj_field=pghistory.ObjForeignKey(related_name="+", related_query_name="+", db_index=True),
        context_field=pghistory.ContextJSONField(),
        context_id_field=pghistory.ContextUUIDField(),
        append_only=False,  # ours below also refuses TRUNCATE
        model_name=f"{name}History",
        app_label="audit",
        abstract=False,
        base_model=RowEvent,
        meta={
            "triggers": append_only_triggers(),
            "default_permissions": ("view",),
            # an index for each filter of the search page: when, who (the context's user), what (pgh_obj), how
            "indexes": [
                models.Index(fields=["pgh_created_at"], name=f"a_{name.lower()}_at"),
                models.Index(ACTOR, "pgh_created_at", name=f"a_{name.lower()}_user"),
                models.Index(fields=["pgh_label", "pgh_created_at"], name=f"a_{name.lower()}_label"),
            ],
        },
    )
    EVENT_MODELS[tracked] = event
    return event


for _model in TRACKED:
    _track(_model)

# The context of a change, as the triggers store it in `pgh_context` (audit/context.py): user (id), ip, url,
# method, route (the view name), task (the Celery task), command (the management command).


class AccessEvent(models.Model):
    """One access event (wudu.signals.record_access): a login, a failure, a logout, a factor or password change, an
    export, a read of a person's record, a denial. Stored by one INSERT; never a password, a token or a session
    key (only a digest of the session key, to tie the events of one session together)."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("人员"), null=True, blank=True,
                             on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    username = models.CharField(_("账号"), max_length=150, blank=True)
    kind = models.CharField(_("类别"), max_length=32, choices=[(k, k) for k in KINDS])
    target = models.CharField(_("对象"), max_length=120, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=160, blank=True)
    session_digest = models.CharField(_("会话摘要"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("访问事件")
        verbose_name_plural = _("访问事件")
        default_permissions = ("view",)
        triggers = append_only_triggers()
        indexes = [
            models.Index(fields=["user", "at"], name="audit_access_user_at"),
            models.Index(fields=["kind", "at"], name="audit_access_kind_at"),
            models.Index(fields=["target", "at"], name="audit_access_target_at"),
            models.Index(fields=["username", "at"], name="audit_access_username_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"


class AuditSeal(models.Model):
    """The head of the hash chain at the end of one day (Asia/Shanghai): sha256 over the previous head and each
    of the day's audit rows in a canonical order (audit/chain.py). Written once by the 00:20 task."""

    date = models.DateField(_("日期"), unique=True)
    count = models.PositiveIntegerField(_("记录数"))
    head = models.CharField(_("链头"), max_length=64)
    previous = models.CharField(_("上一链头"), max_length=64)
    sealed_at = models.DateTimeField(_("封存时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审计日封存")
        verbose_name_plural = _("审计日封存")
        default_permissions = ("view",)
        ordering = ["-date"]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.date} {self.head[:12]}"
