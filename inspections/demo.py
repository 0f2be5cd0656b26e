"""The inspections' demo (巡察整改): behind the server (`manage.py load_demo_history`, through grids.demo.on_history,
after outreach's history), the seed's district inspection — 4 teams stationed at 7 street party committees covering
all 45 communities for 30 days — as two rounds of the demo district (魏都区, whose 8 streets are all covered: the
teams cover two streets each).

- 【演示】2026年第一轮巡察: ended months ago, its follow-up still running, so its tasks are live. Its findings are in
  every state: recorded, dismissed, rectifying (tasks assigned, in progress, submitted for verification — some
  overdue), rectified (ticked off by the team with the evidence their category asks for: documents, a geotagged
  photo, the affected resident's confirmation) and reopened (one failed re-check: a sample drawn through
  `recheck_draw`, the drawn task visited and recorded as false rectification through `recheck_record`). The ladder's
  documents come from `ladder_run` played at a few past dates and today (提醒书, 告诫书, 问责书).
- 【演示】2026年第二轮巡察: running now (started 20 days ago, 30 days), 4 teams covering the 8 streets; the demo accounts
  xcz1 (leader) and xcz2 serve on its first team (and on the first round's, so that they have tasks to verify), the
  office `xuncha` plans both; a handful of fresh findings.

Everything goes through the services as the people would (the office, the teams, the owner units, the resident), each
step at its past moment (`now=`). Idempotent: the demo's rounds are made in one transaction, and a district that has
them gets nothing more. Demo content says so where a user reads it (【演示】).
"""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from grids.demo import DISTRICT, Loader, on_history
from grids.models import Department, Level, Membership, Place, Role, User
from wudu.models import OutboxEffect, OutboxMessage

from . import rules
from .confirm import rectification_confirm_request_task
from .models import (
    Category,
    Disclosure,
    EvidenceKind,
    Finding,
    Recheck,
    RecheckResult,
    Rectification,
    Round,
    Severity,
    TaskEvidence,
    TaskStatus,
    TaskStep,
)
from .services import findings as finding_services
from .services import ladder, rechecks
from .services import rounds as round_services
from .services import tasks as task_services

DEMO = "【演示】"
FIRST_ROUND = f"{DEMO}2026年第一轮巡察"
CURRENT_ROUND = f"{DEMO}2026年第二轮巡察"
TEAM_NAMES = ["第一巡察组", "第二巡察组", "第三巡察组", "第四巡察组"]
# Each team covers two streets (the demo district has 8; the seed's 7 street committees host the teams).
TEAM_STREETS = [("新兴街道", "丁庄街道"), ("七里店街道", "西大街道"), ("西关街道", "灞陵街道"), ("魏北街道", "南关街道")]
# The leaders of teams 2–4 (no demo sign-in: an unusable password); team 1 is the demo accounts xcz1 and xcz2.
OTHER_LEADERS = [("xcz_t2", "刘振华"), ("xcz_t3", "陈立新"), ("xcz_t4", "赵文明")]

# The first round's findings: (team, street, community, category, severity, title, facts, plan). The plan says how
# far its rectification went.
FIRST_FINDINGS = [
    (0, "新兴街道", "新兴社区", Category.FORMALISM, Severity.MINOR, "社区台账重复填报，基层负担重",
     "同一项工作要求社区在三个系统重复填报，社区干部每周用于填表的时间超过一天。", "recorded"),
    (0, "丁庄街道", "毓秀社区", Category.OTHER, Severity.MINOR, "社区活动室长期关闭",
     "群众反映社区活动室长期关门，无法开展活动。", "dismissed"),
    (0, "丁庄街道", "丁庄社区", Category.ORGANISATION, Severity.MAJOR, "社区党组织“三会一课”记录不全",
     "抽查近一年会议记录，支部委员会记录缺失四次，党课记录内容雷同。", "assigned_overdue"),
    (0, "新兴街道", "董庄社区", Category.WORK_STYLE, Severity.MINOR, "为民服务窗口工作日中午无人值守",
     "工作日中午连续三次暗访，为民服务窗口均无人值守，群众办事需等待。", "progress_overdue"),
    (1, "七里店街道", "七里店社区", Category.RESIDENTS, Severity.MAJOR, "老旧小区化粪池外溢，居民多次反映未解决",
     "小区化粪池雨后外溢，居民多次向社区反映，至今未彻底解决。", "progress_soon"),
    (0, "新兴街道", "董庄社区", Category.INTEGRITY, Severity.MAJOR, "社区集体资产出租合同未公开",
     "社区两处门面房出租合同未按规定公开，租金收支未入账公示。", "submitted"),
    (2, "西关街道", "西关社区", Category.RESIDENTS, Severity.MINOR, "农贸市场周边占道经营，影响通行",
     "早晚高峰农贸市场周边占道经营严重，消防通道被占用。", "department"),
    (0, "新兴街道", "新兴社区", Category.POLITICAL, Severity.MINOR, "社区理论学习流于形式",
     "理论学习以读文件为主，无研讨记录，学习笔记内容雷同。", "ticked_off"),
    (0, "丁庄街道", "丁庄社区", Category.RESIDENTS, Severity.MAJOR, "楼道堆放杂物，存在消防隐患",
     "多个楼院楼道长期堆放杂物、停放电动车，群众多次反映。", "ticked_off"),
    (1, "七里店街道", "曹庄社区", Category.FORMALISM, Severity.MINOR, "政务公开栏信息长期未更新",
     "社区政务公开栏内容停留在去年，公众号半年未更新。", "ticked_off"),
    (1, "西大街道", "西大社区", Category.RESIDENTS, Severity.MINOR, "小区路灯损坏数月未修",
     "小区主干道路灯损坏数月，居民夜间出行不便，报修后无人处理。", "ticked_off"),
    (2, "灞陵街道", "灞陵社区", Category.IDEOLOGY, Severity.MINOR, "社区宣传栏内容陈旧，阵地管理不到位",
     "宣传栏内容一年未更换，部分内容已过时，无专人管理。", "ticked_off"),
    (3, "魏北街道", "魏北社区", Category.WORK_STYLE, Severity.MAJOR, "网格员入户走访记录不实",
     "抽查走访记录，部分住户表示近期无人上门，记录与实际不符。", "ticked_off_after_reject"),
    (3, "南关街道", "南关社区", Category.ORGANISATION, Severity.MINOR, "发展党员程序不规范",
     "两名发展对象的培养考察材料缺少支部意见，公示期不足。", "ticked_off"),
]

# The current round's fresh findings: (team, street, community or "" for the street, category, title, facts, whether
# a task is assigned already, public summary or "").
CURRENT_FINDINGS = [
    (0, "新兴街道", "董庄社区", Category.RESIDENTS, "小区电动车充电设施不足，楼道充电隐患突出",
     "小区仅有一处充电棚，大量居民在楼道内为电动车充电，存在火灾隐患。", True,
     "小区电动车充电设施不足，居民在楼道充电存在安全隐患，已交办社区整改。"),
    (0, "丁庄街道", "毓秀社区", Category.FORMALISM, "会议多、检查多，社区疲于应付",
     "近一个月社区接待各类检查、调研十余次，台账材料准备占用大量时间。", False, ""),
    (1, "西大街道", "东大社区", Category.WORK_STYLE, "社区干部上班时间在岗率低",
     "三次工作日上午暗访，社区干部在岗不足半数。", True, ""),
    (2, "灞陵街道", "", Category.ORGANISATION, "街道党工委对社区党组织指导不够",
     "街道对所辖社区党组织建设缺少经常性指导，问题整改跟踪不到位。", False, ""),
    (3, "南关街道", "古槐社区", Category.INTEGRITY, "社区惠民资金发放公示不及时",
     "惠民资金发放名单未在规定时间内公示，群众有疑问。", False, ""),
]

MEASURES = {
    Category.POLITICAL: "建立理论学习研讨制度，每月集中研讨并留存记录。",
    Category.ORGANISATION: "对照组织工作规定逐项补齐程序，建立台账并报街道党工委审核。",
    Category.WORK_STYLE: "建立值班和在岗公示制度，街道每周暗访一次。",
    Category.INTEGRITY: "全面公开集体资产合同和收支，街道纪工委专项检查。",
    Category.RESIDENTS: "限期现场整治，整改后请反映问题的群众确认。",
    Category.IDEOLOGY: "更新宣传阵地内容，明确专人管理并建立审核制度。",
    Category.FORMALISM: "清理重复报表，精简台账，及时更新公开信息。",
    Category.OTHER: "按要求整改。",
}
RESIDENTS = [("王桂英", "13603741001"), ("李建国", "13603741002"), ("张秀兰", "13603741003")]


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _photo(n: int) -> SimpleUploadedFile:
    """A small JPEG standing for a photo taken on site."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (120 + 20 * (n % 5), 150, 170))
    ImageDraw.Draw(image).rectangle((40, 60, 280, 200), outline=(255, 255, 255), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return SimpleUploadedFile(f"site-{n}.jpg", out.getvalue(), content_type="image/jpeg")


def _document(title: str) -> SimpleUploadedFile:
    text = f"{DEMO}整改情况报告\n\n问题：{title}\n整改措施已落实，相关制度、台账和记录见附件。\n（演示数据）\n"
    return SimpleUploadedFile(f"{DEMO}整改情况报告.txt", text.encode("utf-8"), content_type="text/plain")


class InspectionDemo:
    def __init__(self, *, stdout=None, now: datetime.datetime | None = None):
        self.stdout = stdout
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.counts = {"inspection_rounds": 0, "inspection_findings": 0, "inspection_tasks": 0}
        self.serial = 0

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)

    # -- people and places -----------------------------------------------------------------------

    def _accounts(self, district: Place) -> None:
        """The demo accounts this needs (a district loaded before they were added gets them now)."""
        loader = Loader()
        loader.admin = User.objects.get(username="admin")
        loader._accounts(district, {d.short_code: d for d in Department.objects.filter(district=district)})
        for n, (username, real_name) in enumerate(OTHER_LEADERS, start=1):
            if not User.objects.filter(username=username).exists():
                User.objects.create_user(username=username, real_name=real_name, mobile=f"1390374{n:04d}")

    def place(self, street: str, community: str = "") -> Place:
        street_place = self.streets[street]
        if not community:
            return street_place
        return Place.objects.get(parent=street_place, name=community)

    def official(self, place: Place) -> User:
        role = Role.COMMUNITY_OFFICIAL if place.level == Level.COMMUNITY else Role.STREET_OFFICIAL
        return (Membership.objects.filter(place=place, role=role).select_related("user").order_by("id")
                .first().user)

    # -- the rounds ------------------------------------------------------------------------------

    def load(self) -> dict:
        district = Place.objects.filter(level=Level.DISTRICT, name=DISTRICT[0]).first()
        if district is None or Round.objects.filter(district=district, name__startswith=DEMO).exists():
            return self.counts
        with transaction.atomic():
            self._accounts(district)
            self.office = User.objects.get(username="xuncha")
            self.streets = {p.name: p for p in Place.objects.filter(parent=district, level=Level.STREET)}
            first = self._round(district, FIRST_ROUND, starts_on=self.today - datetime.timedelta(days=140),
                                follow_up_until=self.today + datetime.timedelta(days=60))
            self._first_round_findings(first)
            # The first round's progress is open to the public (its findings marked public); the current one is not yet.
            round_services.round_progress_publish(actor=self.office, round=Round.objects.get(pk=first.pk),
                                                  now=at(self.today - datetime.timedelta(days=30), 9))
            current = self._round(district, CURRENT_ROUND, starts_on=self.today - datetime.timedelta(days=20))
            self._current_round_findings(current)
        self.log(f"  巡察：{self.counts['inspection_rounds']} 轮，{self.counts['inspection_findings']} 个问题，"
                 f"{self.counts['inspection_tasks']} 项整改任务")
        return self.counts

    def _round(self, district: Place, name: str, *, starts_on: datetime.date,
               follow_up_until: datetime.date | None = None) -> Round:
        ends_on = starts_on + datetime.timedelta(days=29)
        feedback_on = ends_on + datetime.timedelta(days=10) if follow_up_until else None
        round_ = round_services.round_create(actor=self.office, district=district, name=name, starts_on=starts_on,
                                             ends_on=ends_on, follow_up_until=follow_up_until, feedback_on=feedback_on)
        self.counts["inspection_rounds"] += 1
        leaders = [User.objects.get(username="xcz1")] + [User.objects.get(username=u) for u, _n in OTHER_LEADERS]
        for index, (team_name, streets) in enumerate(zip(TEAM_NAMES, TEAM_STREETS, strict=True)):
            members = [User.objects.get(username="xcz2")] if index == 0 else []
            round_services.team_create(actor=self.office, round=round_, name=team_name, leader=leaders[index],
                                       members=members, places=[self.streets[s] for s in streets])
        round_.refresh_from_db()
        return round_

    def leader(self, round_: Round, team: int) -> User:
        # Fresh from the database: the grants of a person are read once per object.
        return User.objects.get(inspection_teams__team__round=round_, inspection_teams__team__name=TEAM_NAMES[team],
                                inspection_teams__is_leader=True)

    def team(self, round_: Round, team: int):
        return round_.teams.get(name=TEAM_NAMES[team])

    def _record(self, round_: Round, *, team: int, place: Place, category, severity, title, facts, found_on,
                actor=None, public_summary: str = "") -> Finding:
        finding = finding_services.finding_record(
            actor=actor or self.leader(round_, team), round=round_, place=place, category=category, severity=severity,
            title=f"{DEMO}{title}", facts=facts, found_on=found_on,
            disclosure=Disclosure.PUBLIC if public_summary else Disclosure.INTERNAL, public_summary=public_summary)
        self.counts["inspection_findings"] += 1
        return finding

    def _assign(self, finding: Finding, *, when: datetime.datetime, deadline: datetime.date | None = None,
                department: Department | None = None) -> Rectification:
        if department is not None:
            owner = {"owner_department": department}
            responsible = (User.objects.filter(memberships__role=Role.DEPARTMENT_STAFF,
                                               memberships__department=department).order_by("id").first())
        else:
            owner = {"owner_place": finding.place}
            responsible = self.official(finding.place)
        task = task_services.task_assign(actor=self.office, finding=finding, measure=MEASURES[finding.category],
                                         responsible=responsible, deadline=deadline, now=when,
                                         note="请按期整改，按要求上传佐证材料。", **owner)
        # The 督办通知书 of the assignment, issued by the system a minute after it (the outbox's copy then finds it).
        step = TaskStep.objects.filter(task=task, action="assign").order_by("id").last()
        ladder.issue_assignment_notice(task.pk, task.deadline.isoformat(), step_id=step.pk,
                                       now=when + datetime.timedelta(minutes=1))
        self.counts["inspection_tasks"] += 1
        task.refresh_from_db()
        return task

    def _progress(self, task: Rectification, when: datetime.datetime, *, confirmed_on: datetime.datetime | None = None,
                  title: str = "") -> Rectification:
        """The owner reports progress with the evidence its category asks for (the resident answers their link)."""
        owner = task.responsible
        required = set(rules.required_evidence(task.finding.category))
        documents = [_document(title or task.finding.title)] if EvidenceKind.DOCUMENT in required else []
        photos, resident = [], None
        if EvidenceKind.PHOTO in required:
            self.serial += 1
            place = task.finding.place
            photos = [task_services.PhotoUpload(_photo(self.serial), lng=place.centroid_lng or 113.84,
                                                lat=place.centroid_lat or 34.04)]
        if EvidenceKind.RESIDENT in required:
            resident = task_services.ResidentRequest(*RESIDENTS[self.serial % len(RESIDENTS)])
        task = task_services.task_progress(actor=owner, task=task, version=task.version, now=when,
                                           note="已制定整改方案并落实，佐证材料见附件。", documents=documents,
                                           photos=photos, resident=resident)
        if resident is not None:
            asked = TaskEvidence.objects.filter(task=task, kind=EvidenceKind.RESIDENT).order_by("-id").first()
            self._ask_resident(asked, when)
            if confirmed_on is not None:
                task_services.task_resident_confirm(token=asked.token, resolved=True, comment="问题已经解决，谢谢。",
                                                    now=confirmed_on)
        return task

    def _ask_resident(self, asked: TaskEvidence, when: datetime.datetime) -> None:
        """The resident's link goes out with the progress step, before they answer: the SMS is sent now (the
        outbox's copy, run when the demo commits, finds it sent) and the request, the message and the sending are
        dated at the step, as they would have been then."""
        rectification_confirm_request_task(asked.pk)
        TaskEvidence.objects.filter(pk=asked.pk).update(uploaded_at=when)
        OutboxMessage.objects.filter(key=f"rectification-confirm:{asked.pk}").update(
            created_at=when, next_attempt_at=when, sent_at=when)
        OutboxEffect.objects.filter(key=f"rectification-confirm-sms:{asked.pk}").update(done_at=when)

    def _submit(self, task: Rectification, when: datetime.datetime) -> Rectification:
        return task_services.task_submit(actor=task.responsible, task=task, version=task.version, now=when,
                                         note="整改已完成，请核验。")

    def _first_round_findings(self, round_: Round) -> None:
        assigned = at(round_.feedback_on, 9)
        due = finding_services.default_due(round_, round_.starts_on)
        chengguan = Department.objects.filter(district=round_.district, short_code="chengguan").first()
        ticked = []
        for n, (team, street, community, category, severity, title, facts, plan) in enumerate(FIRST_FINDINGS):
            found_on = round_.starts_on + datetime.timedelta(days=2 + 2 * n)
            # The round's findings are public but for the one dismissed: its progress page (published below) lists
            # them by their titles, which name no one.
            finding = self._record(round_, team=team, place=self.place(street, community), category=category,
                                   severity=severity, title=title, facts=facts, found_on=found_on,
                                   public_summary="" if plan == "dismissed" else title)
            if plan == "recorded":
                continue
            if plan == "dismissed":
                finding_services.finding_dismiss(actor=self.leader(round_, team), finding=finding,
                                                 reason="经核实，活动室因改造暂停开放并已公示，不属于问题。")
                continue
            if plan == "department":
                self._assign(finding, when=assigned, department=chengguan,
                             deadline=self.today + datetime.timedelta(days=25))
                continue
            if plan == "progress_overdue":  # overdue by five days: a 提醒书 before, a 告诫书 now
                task = self._assign(finding, when=assigned, deadline=self.today - datetime.timedelta(days=5))
                self._progress(task, at(self.today - datetime.timedelta(days=30)))
                continue
            task = self._assign(finding, when=assigned)
            if plan == "assigned_overdue":
                continue
            if plan == "progress_soon":  # the office gave it more time; due in five days: a 提醒书
                task = task_services.task_extend(actor=self.office, task=task, version=task.version,
                                                 deadline=self.today + datetime.timedelta(days=5), now=at(due, 9),
                                                 note="涉及管网改造，需协调施工，延长整改期限。")
                self._progress(task, at(self.today - datetime.timedelta(days=15)))
                continue
            task = self._progress(task, at(round_.feedback_on + datetime.timedelta(days=20)),
                                  confirmed_on=at(round_.feedback_on + datetime.timedelta(days=22), 16))
            task = self._submit(task, at(round_.feedback_on + datetime.timedelta(days=28)))
            if plan == "submitted":
                continue
            verifier = self.leader(round_, team)
            if plan == "ticked_off_after_reject":
                task = task_services.task_reject(actor=verifier, task=task, version=task.version,
                                                 now=at(round_.feedback_on + datetime.timedelta(days=30)),
                                                 note="走访记录仍未逐户核对，请补充入户核实材料。")
                task = self._progress(task, at(round_.feedback_on + datetime.timedelta(days=34)),
                                      title="补充入户核实材料")
                task = self._submit(task, at(round_.feedback_on + datetime.timedelta(days=35)))
            task = task_services.task_verify(actor=verifier, task=task, version=task.version,
                                             now=at(round_.feedback_on + datetime.timedelta(days=38), 15),
                                             note="经现场核验，整改到位，予以销号。")
            ticked.append(task)
        # The ladder's beat, played at a few past days and today: reminders, 提醒书, 告诫书, 问责书 on schedule.
        for day in (due - datetime.timedelta(days=5), due + datetime.timedelta(days=3),
                    self.today - datetime.timedelta(days=10)):
            ladder.ladder_run(now=at(day, 8))
        # The re-check (10 % of the ticked-off tasks, at least one): the drawn task was not truly fixed.
        drawn_at = at(self.today - datetime.timedelta(days=12), 9)
        draw = rechecks.recheck_draw(self.office, round_, seed="weidu-demo-2026-1", number=1, now=drawn_at)
        for index, recheck in enumerate(Recheck.objects.filter(draw=draw).select_related("task").order_by("id")):
            if recheck.result != RecheckResult.PENDING:
                continue
            failed = index == 0
            rechecks.recheck_record(
                self.office, recheck, result=RecheckResult.FAILED if failed else RecheckResult.PASSED,
                note=(f"{DEMO}回访核查：走访当事群众和现场，问题依旧存在，整改材料与实际不符，属虚假整改，重新整改。"
                      if failed else "回访核查，整改属实。"),
                now=at(self.today - datetime.timedelta(days=8), 15))
            if failed:  # the office sets a new deadline for the reopened task
                task = Rectification.objects.get(pk=recheck.task_id)
                if task.status == TaskStatus.REOPENED:
                    task_services.task_extend(actor=self.office, task=task, version=task.version,
                                              deadline=self.today + datetime.timedelta(days=20),
                                              now=at(self.today - datetime.timedelta(days=7), 9),
                                              note="核查发现虚假整改，限期重新整改到位。")
        ladder.ladder_run(now=self.now)

    def _current_round_findings(self, round_: Round) -> None:
        for n, (team, street, community, category, title, facts, assign, summary) in enumerate(CURRENT_FINDINGS):
            found_on = round_.starts_on + datetime.timedelta(days=3 + 3 * n)
            # The first team's member xcz2 records one of its findings, its leader xcz1 the other.
            actor = User.objects.get(username="xcz2") if n == 0 else None
            finding = self._record(round_, team=team, place=self.place(street, community), category=category,
                                   severity=Severity.MINOR, title=title, facts=facts, found_on=found_on, actor=actor,
                                   public_summary=summary)
            if assign:
                self._assign(finding, when=at(found_on + datetime.timedelta(days=2), 9))


def load_inspections_history(*, stdout=None, now: datetime.datetime | None = None) -> dict:
    """The inspections' demo: two rounds of the demo district, the first one's findings in every state."""
    return InspectionDemo(stdout=stdout, now=now).load()


on_history(load_inspections_history)
