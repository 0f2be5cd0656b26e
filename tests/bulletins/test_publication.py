"""Draft, objections, publication, corrections and restatements: the right of reply and an immutable record."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bulletins import services
from bulletins.models import Bulletin, Kind, Objection, ObjectionStatus, Stage, WeightScheme
from cases import services as case_services
from cases.models import Case
from wudu.errors import Conflict
from wudu.measures import Period

from .conftest import at

OCTOBER = Period.month(2026, 10)
BUILT = at(11, 2)  # Monday 2 November; the window of 3 working days ends on Thursday 5 November
AFTER = at(11, 6)


@pytest.fixture
def draft(october, cast):
    return services.bulletin_build(place=cast.place("D"), period=OCTOBER, now=BUILT)


@pytest.fixture
def s1_official(cast):
    return cast.user("street_official")  # the cast's street official stands at 新兴街道 S1


def objection(draft, user, cast, place="S1", key=None, **extra):
    return services.objection_file(actor=user, bulletin=draft, place=cast.place(place), reason="C 事件系群众重复来电",
                                   key=key or str(uuid.uuid4()), now=extra.pop("now", at(11, 3)), **extra)


def test_the_window_is_three_working_days(draft):
    assert draft.stage == Stage.DRAFT and draft.objection_until.date() == datetime.date(2026, 11, 5)


def test_a_unit_objects_to_its_own_line_once_even_when_sent_twice(draft, cast, s1_official):
    key = str(uuid.uuid4())
    first = objection(draft, s1_official, cast, key=key)
    again = objection(draft, s1_official, cast, key=key)
    assert first.pk == again.pk and Objection.objects.count() == 1
    assert first.filed_role == "street_official"


def test_an_objection_on_another_units_line_or_after_the_window_is_refused(draft, cast, s1_official):
    with pytest.raises(PermissionDenied, match="本单位"):
        objection(draft, s1_official, cast, place="S2")
    with pytest.raises(ValidationError, match="申诉期已于"):
        objection(draft, s1_official, cast, now=AFTER)
    with pytest.raises(ValidationError, match="申诉理由"):
        services.objection_file(actor=s1_official, bulletin=draft, place=cast.place("S1"), reason="  ",
                                key=str(uuid.uuid4()), now=at(11, 3))
    assert not Objection.objects.exists()


def test_an_accepted_objection_takes_the_case_out_and_the_draft_is_recounted(draft, october, cast, s1_official):
    filed = objection(draft, s1_official, cast, measure="case.overdue_open",
                      case_reference=october.cases["C"].reference)
    with pytest.raises(PermissionDenied):
        services.objection_decide(actor=s1_official, objection=filed, accept=True, decision="同意")
    center = cast.user("command_center")
    decided = services.objection_decide(actor=center, objection=filed, accept=True, decision="经核实属重复来电",
                                        exclude_case=True, now=at(11, 4))
    assert decided.status == ObjectionStatus.ACCEPTED and decided.excluded_case_id == october.cases["C"].pk
    draft.refresh_from_db()
    s1 = next(line for line in draft.snapshot["lines"] if line["unit"] == cast.place("S1").code)
    assert s1["figures"]["case.overdue_open"] == [1, 7]  # C left; N remains
    with pytest.raises(Conflict):
        services.objection_decide(actor=center, objection=filed, accept=False, decision="再议")


def test_publication_waits_for_the_window_and_for_every_answer(draft, cast, s1_official):
    center = cast.user("command_center")
    with pytest.raises(ValidationError, match="期满后"):
        services.bulletin_publish(actor=center, bulletin=draft, now=at(11, 3))
    filed = objection(draft, s1_official, cast)
    with pytest.raises(ValidationError, match="未处理"):
        services.bulletin_publish(actor=center, bulletin=draft, now=AFTER)
    services.objection_decide(actor=center, objection=filed, accept=False, decision="数据无误", now=AFTER)
    with pytest.raises(Conflict):
        services.bulletin_publish(actor=center, bulletin=draft, lock=draft.lock - 1, now=AFTER)
    published = services.bulletin_publish(actor=center, bulletin=draft, now=AFTER)
    assert published.stage == Stage.PUBLISHED and published.published_by == center


def test_a_published_bulletin_never_changes_and_late_data_makes_a_restatement(draft, october, cast):
    center, dept = cast.user("command_center"), cast.user("department_staff")
    published = services.bulletin_publish(actor=center, bulletin=draft, now=AFTER)
    snapshot = published.snapshot
    assert services.bulletin_build(place=cast.place("D"), period=OCTOBER, now=AFTER).pk == published.pk
    # late data: C is fed back in November; October's figures as counted today change
    case = Case.objects.get(pk=october.cases["C"].pk)
    case_services.case_sign(actor=dept, case=case, version=case.version, now=at(11, 7))
    case_services.case_feed_back(actor=dept, case=case, version=case.version, note="已处理", now=at(11, 7, 11))
    assert services.restatements_check(now=at(11, 8)) == 0  # fed back after October: October is unchanged
    Case.objects.filter(pk=case.pk).update(fed_back_at=at(10, 30))  # a correction of the record itself
    assert services.restatements_check(now=at(11, 9)) == 1
    assert services.restatements_check(now=at(11, 10)) == 0  # the same difference is noted once
    published.refresh_from_db()
    assert published.snapshot == snapshot
    note = published.restatements.get()
    s1 = cast.place("S1").code
    assert {"unit": s1, "measure": "case.handling", "was": [6, 8], "now": [7, 8]}.items() <= next(
        d for d in note.differences if d["measure"] == "case.handling" and d["unit"] == s1).items()
    with pytest.raises(ValidationError):
        published.reason = "改一改"
        published.save()


def test_a_correction_is_a_new_version_and_the_old_one_stays(draft, cast):
    center = cast.user("command_center")
    published = services.bulletin_publish(actor=center, bulletin=draft, now=AFTER)
    with pytest.raises(ValidationError, match="更正原因"):
        services.bulletin_correct(actor=center, bulletin=published, reason="")
    corrected = services.bulletin_correct(actor=center, bulletin=published, reason="城市管理局补报 3 件反馈", now=at(11, 9))
    assert corrected.version == 2 and corrected.stage == Stage.DRAFT and corrected.reason.startswith("城市管理局")
    services.bulletin_publish(actor=center, bulletin=corrected, now=at(11, 20))
    stages = dict(Bulletin.objects.filter(period="2026-10", kind=Kind.BULLETIN).values_list("version", "stage"))
    assert stages == {1: Stage.SUPERSEDED, 2: Stage.PUBLISHED}


def test_only_the_command_center_builds_and_a_future_or_unclosed_period_is_refused(cast, october):
    with pytest.raises(PermissionDenied):
        services.bulletin_build(place=cast.place("D"), period=OCTOBER, actor=cast.user("street_official"), now=BUILT)
    with pytest.raises(ValidationError, match="尚未结束"):
        services.bulletin_build(place=cast.place("D"), period=Period.month(2026, 11), now=at(11, 20))
    with pytest.raises(ValidationError, match="只对"):
        services.bulletin_build(place=cast.place("G1"), period=OCTOBER, now=BUILT)


def test_weights_must_sum_to_100_and_the_minimum_volume_cannot_be_negative(cast):
    admin = cast.user("system_admin")
    with pytest.raises(ValidationError) as refused:
        services.scheme_save(actor=admin, name="试行", weights=[{"measure": "case.handling", "weight": 60},
                                                               {"measure": "case.closing", "weight": 30}],
                             min_volume=-1)
    assert "之和应为 100" in str(refused.value) and "不能为负数" in str(refused.value)
    assert not WeightScheme.objects.filter(name="试行").exists()
    scheme = services.scheme_save(actor=admin, name="试行", weights=[{"measure": "case.handling", "weight": 60},
                                                                   {"measure": "case.closing", "weight": 40}],
                                  min_volume=3)
    with pytest.raises(Conflict):
        services.scheme_save(actor=admin, scheme=scheme, version=scheme.version - 1 if scheme.version > 1 else 99,
                             name="试行", weights=scheme.weights, min_volume=4)
    with pytest.raises(PermissionDenied):
        services.scheme_save(actor=cast.user("grid_worker"), name="x", weights=scheme.weights, min_volume=1)


def test_the_quarterly_ranking_ranks_peers_and_says_why_a_rank_moved(october, cast):
    center = cast.user("command_center")
    q3 = services.bulletin_build(place=cast.place("D"), period=Period.quarter(2026, 3), kind=Kind.RANKING,
                                 now=BUILT)
    services.bulletin_publish(actor=center, bulletin=q3, now=AFTER)
    q4 = services.bulletin_build(place=cast.place("D"), period=Period.quarter(2026, 4), kind=Kind.RANKING,
                                 now=datetime.datetime(2027, 1, 2, 8, tzinfo=datetime.UTC))
    levels = {line["level"] for line in q4.snapshot["lines"]}
    assert levels == {"street", "community", "grid"}
    groups = {g["key"] for g in q4.snapshot["groups"]}
    assert cast.place("D").code in groups and cast.place("C1").code in groups and "departments" in groups
    department = next(d for d in q4.snapshot["departments"] if d["label"] == "城市管理")
    assert department["state"] == "ranked" and department["rank"] == 1
    # Q3 had D and F (and P's first round) for 城市管理; the ranking says which measures moved its score
    assert set(department["previous"]["why"]) <= {"case.handling", "case.handling_on_time", "case.rework",
                                                   "case.overdue_open", "case.extension"}


def test_a_published_bulletin_prints_the_audit_chains_head(draft, cast, client):
    """等保 安全审计: the head of the audit's hash chain as it stood at publication is kept with the bulletin and
    printed on it, so that a later rewrite of the records behind the figures breaks a head anyone can compare."""
    from django.urls import reverse
    from django.utils import timezone

    from audit.chain import seal_through
    from audit.models import AuditSeal

    seal_through(timezone.localdate())  # the cast's own writes and access events make at least one day
    seal = AuditSeal.objects.order_by("-date").first()
    assert seal is not None and len(seal.head) == 64
    published = services.bulletin_publish(actor=cast.user("command_center"), bulletin=draft, now=AFTER)
    assert (published.audit_seal_date, published.audit_seal_head) == (seal.date, seal.head)
    client.force_login(cast.user("district_official"))
    page = client.get(reverse("bulletins:detail", args=[published.pk])).content.decode()
    assert seal.head in page and "审计链封存值" in page


def test_a_draft_carries_no_audit_head(draft, cast, client):
    client.force_login(cast.user("district_official"))
    from django.urls import reverse

    assert "审计链封存值" not in client.get(reverse("bulletins:detail", args=[draft.pk])).content.decode()
