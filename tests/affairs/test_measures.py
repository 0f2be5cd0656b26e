"""The community-service measures on a hand-worked October 2026 at two communities of 新兴街道 S1 (figures on paper).

董庄社区 C1 handles 居住证明 (全程网办, 3 working days); 健康社区 C2 handles 计生证明 (网上申请，到现场一次, 5 days).
Accepting on Monday 12 October gives a time limit of Thursday 15 October (C1) or Monday 19 October (C2).

C1  A  submitted 12.10, accepted 12.10, certificate 13.10 (on time), closed, rated 14.10 满意
    B  submitted 12.10, accepted 12.10, collect at the counter 19.10 (late), closed, rated 19.10 非常不满意:
       rectification due 26.10, answered 23.10 (on time)
    C  submitted 12.10, materials asked once, resubmitted, accepted 13.10, still processing on 31.10 (overdue)
    D  submitted and accepted 21.09 (due 24.09), undecided on 1.10 (carried), certificate 20.10 (late)
    E  submitted 14.10, refused before acceptance (不予受理) 14.10: no clock, never due
C2  F  submitted 12.10, materials asked, resubmitted with a new file, asked again for that new file only (a second
       request), resubmitted, accepted 14.10 (due 21.10), collect 15.10 (on time), closed, rated 16.10 基本满意
    G  submitted 12.10, accepted 12.10 (due 19.10), certificate 13.10, closed, rated 14.10 不满意: rectification
       due 21.10, never answered
    H  submitted 30.10, received only

                           C1                                   C2
办件办结率 (due)             A B C D due; A B D decided = 3/4      F G due, both decided = 2/2
按时办结率                   A = 1/4                               F G = 2/2
全程网办率 (submitted Oct)   A C E (B collects; D in Sept) = 3/4   none (item needs a visit) = 0/3
件均跑动次数 (decided Oct)   B collects = 1/4 (A B D E)           F G = 2/2
多次补正率 (decided Oct)     0/4 (C asked once, not decided)       F = 1/2
好评率 / 差评率              A / B = 1/2, 1/2                      F / G = 1/2, 1/2
差评按时整改率               B = 1/1                               G = 0/1
S1 adds them up: 5/6, 3/6, 3/7, 3/6, 1/6, 2/4, 2/4, 1/2.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from affairs import services
from affairs.models import Application, Mode, ResultKind, Satisfaction
from bulletins import figures
from bulletins import services as bulletin_services
from bulletins.models import Kind
from grids import services as grid_services
from grids.models import Role
from tests.affairs.conftest import key, proof
from tests.cast import PASSWORD
from wudu import measures
from wudu.measures import Period

pytestmark = pytest.mark.django_db

OCTOBER = Period.month(2026, 10)
CODES = ["affairs.decided", "affairs.decided_on_time", "affairs.fully_online", "affairs.trips",
         "affairs.repeat_requests", "affairs.good_ratings", "affairs.bad_ratings", "affairs.rectified_on_time"]
CERTIFICATE = {"result_kind": ResultKind.CERTIFICATE, "result": "兹证明该居民在本社区居住。"}
COLLECT = {"result_kind": ResultKind.COLLECT, "result": "请到社区服务站领取。"}


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, month, day, hour))


def upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("a.pdf", b"x" * 10, content_type="application/pdf")


class World:
    def __init__(self, cast):
        self.cast = cast
        self.mobiles = iter(f"1390000{n:04d}" for n in range(100))
        self.c1_official = cast.user(Role.COMMUNITY_OFFICIAL)
        self.c2_official = grid_services.person_appoint(
            actor=cast.admin, place=cast.place("C2"), role=Role.COMMUNITY_OFFICIAL, username="jiankang",
            real_name="健康社区干部", mobile="13900009999", password=PASSWORD, work_phone="0374-5550003").user
        self.c1_item = services.service_item_create(
            actor=self.c1_official, place=cast.place("C1"), unit_place=cast.place("C1"), name="居住证明",
            applicants="本社区居民", time_limit=3, mode=Mode.ONLINE, legal_basis="《居住证暂行条例》",
            materials=[{"name": "身份证"}, {"name": "租房合同"}])
        self.c2_item = services.service_item_create(
            actor=self.c2_official, place=cast.place("C2"), unit_place=cast.place("C2"), name="计划生育相关证明",
            applicants="本社区居民", time_limit=5, mode=Mode.ONCE, legal_basis="《人口与计划生育法》",
            materials=[{"name": "身份证"}, {"name": "户口簿"}, {"name": "结婚证", "required": False}])
        self.tokens: dict[int, str] = {}

    def submit(self, item, when) -> Application:
        mobile = next(self.mobiles)
        files = {m.pk: upload() for m in item.materials.all() if m.required}
        application, token = services.application_submit_public(
            item=item, place=item.place, applicant_name="王女士", mobile=mobile, proof_id=proof(mobile), files=files,
            key=key(), now=when)
        self.tokens[application.pk] = token
        return application

    def act(self, application, when, *actions, **inputs) -> Application:
        actor = self.c1_official if application.unit_place == self.cast.place("C1") else self.c2_official
        for action in actions:
            services.application_act(actor=actor, application=application, action=action,
                                     version=application.version, key=key(), now=when,
                                     **(inputs if action in ("approve", "refuse", "request_materials") else {}))
        return application

    def resubmit(self, application, when, *requirements) -> None:
        services.application_resubmit(token=self.tokens[application.pk], files={r.pk: upload() for r in requirements},
                                      key=key(), now=when)
        application.refresh_from_db()

    def rate(self, application, when, level) -> None:
        services.application_rate(token=self.tokens[application.pk], level=level, key=key(), now=when)


@pytest.fixture
def world(cast):
    w = World(cast)
    c1_id, c1_lease = w.c1_item.materials.order_by("sort_order")
    c2_id, c2_hukou, c2_marriage = w.c2_item.materials.order_by("sort_order")

    a = w.submit(w.c1_item, at(10, 12, 9))
    w.act(a, at(10, 12), "receive", "accept", "process")
    w.act(a, at(10, 13), "approve", **CERTIFICATE)
    w.act(a, at(10, 13), "close")
    w.rate(a, at(10, 14), Satisfaction.SATISFIED)

    b = w.submit(w.c1_item, at(10, 12, 9))
    w.act(b, at(10, 12), "receive", "accept", "process")
    w.act(b, at(10, 19), "approve", **COLLECT)
    w.act(b, at(10, 19), "close")
    w.rate(b, at(10, 19, 15), Satisfaction.VERY_UNSATISFIED)
    services.rectification_answer(actor=w.c1_official, application=b, answer="已约谈经办人，改为当日出具。", now=at(10, 23))

    c = w.submit(w.c1_item, at(10, 12, 9))
    w.act(c, at(10, 12), "receive")
    w.act(c, at(10, 12), "request_materials", materials=[c1_id.pk, c1_lease.pk])
    w.resubmit(c, at(10, 13, 9), c1_id, c1_lease)
    w.act(c, at(10, 13), "accept", "process")

    d = w.submit(w.c1_item, at(9, 21, 9))
    w.act(d, at(9, 21), "receive", "accept", "process")
    w.act(d, at(10, 20), "approve", **CERTIFICATE)

    e = w.submit(w.c1_item, at(10, 14, 9))
    w.act(e, at(10, 14), "receive")
    w.act(e, at(10, 14), "refuse", reason="申请人不在本社区居住。", basis="《居住证暂行条例》第二条")

    f = w.submit(w.c2_item, at(10, 12, 9))
    w.act(f, at(10, 12), "receive")
    w.act(f, at(10, 12), "request_materials", materials=[c2_hukou.pk])
    w.resubmit(f, at(10, 13, 9), c2_hukou, c2_marriage)  # adds a marriage certificate nobody asked for
    w.act(f, at(10, 13), "request_materials", materials=[c2_marriage.pk])  # the new file is wrong: a second request
    w.resubmit(f, at(10, 14, 9), c2_marriage)
    w.act(f, at(10, 14), "accept", "process")
    w.act(f, at(10, 15), "approve", **COLLECT)
    w.act(f, at(10, 15), "close")
    w.rate(f, at(10, 16), Satisfaction.FAIRLY_SATISFIED)

    g = w.submit(w.c2_item, at(10, 12, 9))
    w.act(g, at(10, 12), "receive", "accept", "process")
    w.act(g, at(10, 13), "approve", **CERTIFICATE)
    w.act(g, at(10, 13), "close")
    w.rate(g, at(10, 14), Satisfaction.UNSATISFIED)

    h = w.submit(w.c2_item, at(10, 30, 9))
    w.act(h, at(10, 30), "receive")
    return w


def test_the_hand_worked_time_limits_hold(world):
    """The figures below rest on these time limits (the shared calendar: working days)."""
    limits = {a.pk: timezone.localtime(a.due_at).date() for a in Application.objects.filter(due_at__isnull=False)}
    assert sorted(limits.values()) == [datetime.date(2026, 9, 24), datetime.date(2026, 10, 15),
                                       datetime.date(2026, 10, 15), datetime.date(2026, 10, 16),
                                       datetime.date(2026, 10, 19), datetime.date(2026, 10, 21)]
    assert Application.objects.get(material_requests=2).item == world.c2_item


def test_a_street_bulletin_counts_each_community_and_the_street(world):
    bulletin = bulletin_services.bulletin_build(place=world.cast.place("S1"), period=OCTOBER, kind=Kind.BULLETIN,
                                                now=at(11, 2))
    lines = {line["unit"]: line["figures"] for line in bulletin.snapshot["lines"]}
    c1, c2 = lines[world.cast.place("C1").code], lines[world.cast.place("C2").code]
    assert [c1[code] for code in CODES] == [[3, 4], [1, 4], [3, 4], [1, 4], [0, 4], [1, 2], [1, 2], [1, 1]]
    assert [c2[code] for code in CODES] == [[2, 2], [2, 2], [0, 3], [2, 2], [1, 2], [1, 2], [1, 2], [0, 1]]
    total = bulletin.snapshot["total"]
    assert [total[code] for code in CODES] == [[5, 6], [3, 6], [3, 7], [3, 6], [1, 6], [2, 4], [2, 4], [1, 2]]


def test_an_application_overdue_and_undecided_is_due_again_next_month(world):
    """C (due 16 October) is still processing at the end of November: due again, not decided, counted late."""
    november = Period.month(2026, 11)
    decided = figures.live_figures(measures.get("affairs.decided"), world.cast.place("C1").code, november, "community")
    assert decided == {world.cast.place("C1").code: [0, 1]}


def test_each_measure_is_one_grouped_query(world, django_assert_num_queries):
    code = world.cast.place("S1").code
    for measure in CODES:
        with django_assert_num_queries(1):
            figures.live_figures(measures.get(measure), code, OCTOBER, "community")


def test_the_measures_say_which_way_is_better_and_what_they_count():
    registered = {m.code: m for m in measures.all_measures() if m.section == "affairs"}
    assert sorted(registered) == sorted(CODES)
    lower = {code for code, m in registered.items() if not m.higher_is_better}
    assert lower == {"affairs.trips", "affairs.repeat_requests", "affairs.bad_ratings"}
    assert [code for code, m in registered.items() if m.volume] == ["affairs.decided"]
    assert all(str(m.definition) and str(m.label) for m in registered.values())
