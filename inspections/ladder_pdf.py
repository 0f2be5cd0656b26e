"""The ladder's documents as one-page PDFs (A4, Chinese): the title, the number, the owner unit, the finding and the
task, the deadline, what happens next, the issuing office and the date. Short and laid out like a letter, so they go
through WeasyPrint as outreach's certificates do (one font family, Noto Sans CJK SC), rendered in the request."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Ladder, Notice


def _next_step(notice: Notice) -> str:
    """What the document says happens next."""
    days = int(getattr(settings, "INSPECTION_FINAL_DEADLINE_DAYS", 15))
    week = max(getattr(settings, "INSPECTION_REMIND_DAYS", (7, 1)))
    if notice.kind == Ladder.NOTICE:
        return _("请于期限内完成整改，逐项报送整改进展及佐证材料，经巡察组核验后销号。到期前 %(week)s 天将发出提醒书；逾期未完成的，"
                 "将发出告诫书并限定最后期限（%(days)s 天）。") % {"days": days, "week": week}
    if notice.kind == Ladder.REMINDER:
        return _("距整改期限已不足 %(week)s 天，请抓紧整改并报送佐证材料。逾期未完成的，将发出告诫书并限定最后期限（%(days)s 天）。") % {
            "days": days, "week": week}
    if notice.kind == Ladder.WARNING:
        return _("该项整改任务已逾期。请于最后期限前完成整改并报送佐证材料；最后期限届满仍未完成的，将发出问责书，"
                 "依规依纪追究相关责任人责任，并进行约谈。")
    return _("该项整改任务逾期且超过最后期限仍未完成。请单位主要负责人于收到本书后 3 个工作日内向巡察办作出书面说明，"
             "并接受约谈；将依规依纪追究相关责任人责任。")


def notice_context(notice: Notice) -> dict:
    task = notice.task
    finding = task.finding
    district = finding.round.district
    return {
        "n": notice, "task": task, "finding": finding, "title": notice.get_kind_display(),
        "unit": task.owner.name if task.owner is not None else "",
        "issuer": _("中共%(district)s委员会巡察工作领导小组办公室") % {"district": district.name},
        "issued_on": timezone.localdate(notice.issued_at), "next_step": _next_step(notice),
        "original_deadline": task.deadline if notice.kind in (Ladder.WARNING, Ladder.ACCOUNTABILITY) else None,
    }


def notice_pdf(notice: Notice) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango takes a moment and only the download needs it

    return HTML(string=render_to_string("inspections/ladder/pdf.html", notice_context(notice))).write_pdf()
