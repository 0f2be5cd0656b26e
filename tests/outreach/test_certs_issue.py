"""Issuing and revoking certificates of volunteer service: 谁组织谁记录、谁记录谁证明, each refusal with its message,
numbers, idempotency (hours made with the ORM: the check-in/out services belong to the hours area)."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from outreach import selectors, services
from outreach.models import Certificate, CertifiedRecord
from tests.outreach import certs_world as w

YEAR = (datetime.date(2026, 1, 1), timezone.localdate())  # honour hours count from when they were entered


@pytest.fixture
def hours(cast):
    """环保志愿服务队 at 董庄社区 (C1) with 张晓明's verified hours, and 健康社区's team (C2) with some of his too."""
    org = w.org(cast.places["C1"])
    other = w.org(cast.places["C2"], "健康志愿队")
    who = w.volunteer(cast.places["G1"])
    records = [w.record(who, org, datetime.date(2026, 3, 7), 120, title="垃圾分类宣讲"),
               w.record(who, org, datetime.date(2026, 4, 11), 90, title="校园环保课"),
               w.honour(who, org, 300, cast.user("community_official"))]
    foreign = w.record(who, other, datetime.date(2026, 5, 1), 60, title="健康义诊")
    return {"org": org, "other": other, "who": who, "records": records, "foreign": foreign,
            "official": cast.user("community_official")}


def issue(h, **kwargs):
    args = {"actor": h["official"], "organization": h["org"], "volunteer": h["who"], "period_from": YEAR[0],
            "period_to": YEAR[1], **kwargs}
    return services.certificate_issue(**args)


def test_certificate_covers_the_organisations_verified_hours_with_honour_apart(hours):
    certificate = issue(hours)
    assert certificate.number == "WD-2026-000001"
    assert (certificate.service_minutes, certificate.honour_minutes) == (210, 300)
    assert certificate.service_hours == 3.5 and certificate.honour_hours == 5.0
    assert set(certificate.records.all()) == set(hours["records"])  # not the other organisation's record
    assert certificate.content == "参加「垃圾分类宣讲」、「校园环保课」2次志愿服务"
    assert len(certificate.token) >= 20 and certificate.is_valid


def test_numbers_follow_each_other_without_gaps_and_a_refusal_uses_none(hours, cast):
    first = issue(hours)
    second_volunteer = w.volunteer(cast.places["G1"], "李红")
    with pytest.raises(ValidationError):
        issue(hours, volunteer=second_volunteer)  # no hours: refused, no number taken
    w.record(second_volunteer, hours["org"], datetime.date(2026, 6, 1), 60)
    second = issue(hours, volunteer=second_volunteer)
    assert (first.number, second.number) == ("WD-2026-000001", "WD-2026-000002")


def test_pending_hours_in_the_period_are_refused_with_a_clear_message(hours):
    w.record(hours["who"], hours["org"], datetime.date(2026, 7, 1), 60, status="pending")
    with pytest.raises(ValidationError) as refused:
        issue(hours)
    assert "尚未确认" in refused.value.messages[0] and "待确认 1 条" in refused.value.messages[0]
    assert not Certificate.objects.exists()


def test_declined_hours_are_left_out_not_certified(hours):
    w.record(hours["who"], hours["org"], datetime.date(2026, 7, 1), 600, status="declined")
    assert issue(hours).service_minutes == 210


def test_hours_recorded_by_another_organisation_are_refused(hours):
    with pytest.raises(ValidationError) as refused:
        issue(hours, records=[*hours["records"], hours["foreign"]])
    assert "其他组织（健康志愿队）记录" in refused.value.messages[0]
    assert "只能由记录组织出具证明" in refused.value.messages[0]
    assert not Certificate.objects.exists()


def test_an_unverified_record_chosen_explicitly_is_refused(hours):
    pending = w.record(hours["who"], hours["org"], datetime.date(2026, 8, 1), 60, status="pending")
    with pytest.raises(ValidationError) as refused:
        issue(hours, records=[hours["records"][0], pending])
    assert "只能为已确认的时长出具证明" in refused.value.messages[0]


def test_zero_hours_are_refused(hours, cast):
    nobody = w.volunteer(cast.places["G1"], "王五")
    with pytest.raises(ValidationError) as refused:
        issue(hours, volunteer=nobody)
    assert refused.value.messages == ["该期间内没有本组织已确认的志愿服务时长，不能出具证明。"]
    zero = w.volunteer(cast.places["G1"], "赵六")
    w.record(zero, hours["org"], datetime.date(2026, 3, 1), 0)
    with pytest.raises(ValidationError, match="没有本组织已确认"):
        issue(hours, volunteer=zero)


def test_a_period_that_ends_before_it_starts_or_in_the_future_is_refused(hours):
    with pytest.raises(ValidationError, match="结束日期不能早于开始日期"):
        issue(hours, period_from=datetime.date(2026, 5, 1), period_to=datetime.date(2026, 4, 1))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        issue(hours, period_to=datetime.date(2099, 1, 1))


def test_the_same_request_twice_gets_the_same_certificate(hours):
    key = uuid.uuid4()
    first = issue(hours, idempotency_key=key)
    assert issue(hours, idempotency_key=key) == first
    assert issue(hours) == first  # without a key: the same records, the certificate in force
    assert Certificate.objects.count() == 1


def test_hours_certified_already_are_not_certified_twice(hours):
    first = issue(hours, records=hours["records"][:1], period_to=datetime.date(2026, 3, 31))
    with pytest.raises(ValidationError) as refused:
        issue(hours)  # the whole year overlaps the first certificate's March
    assert first.number in refused.value.messages[0] and "不能重复出具" in refused.value.messages[0]


def test_only_the_officials_of_the_recording_organisations_place_issue(hours, cast):
    for role in ("grid_worker", "grid_head", "instructor", "command_center", "department_staff"):
        with pytest.raises(PermissionDenied):
            issue(hours, actor=cast.user(role))
    with pytest.raises(PermissionDenied):  # 健康社区's team is not 董庄社区's business
        issue(hours, actor=cast.user("community_official"), organization=hours["other"], records=[hours["foreign"]])
    assert issue(hours, actor=cast.user("street_official")).organization == hours["org"]


def test_revoking_needs_a_reason_and_frees_the_records(hours):
    certificate = issue(hours)
    with pytest.raises(ValidationError, match="作废须填写原因"):
        services.certificate_revoke(actor=hours["official"], certificate=certificate, reason="  ")
    revoked = services.certificate_revoke(actor=hours["official"], certificate=certificate, reason="信息填写有误")
    assert revoked.revoked_at is not None and revoked.revoked_reason == "信息填写有误"
    assert not CertifiedRecord.objects.filter(in_force=True).exists()
    # a retry changes nothing; the records may be certified again, under a new number
    assert services.certificate_revoke(actor=hours["official"], certificate=revoked, reason="再次").revoked_reason \
        == "信息填写有误"
    again = issue(hours)
    assert again.number == "WD-2026-000002" and again.service_minutes == 210


def test_a_grid_worker_cannot_revoke(hours, cast):
    certificate = issue(hours)
    with pytest.raises(PermissionDenied):
        services.certificate_revoke(actor=cast.user("grid_worker"), certificate=certificate, reason="无权")


def test_coverage_shows_what_an_issue_would_cover(hours):
    w.record(hours["who"], hours["org"], datetime.date(2026, 7, 1), 60, status="pending")
    w.record(hours["who"], hours["org"], datetime.date(2026, 7, 2), 60, status="declined")
    coverage = selectors.certificate_coverage(organization=hours["org"], volunteer=hours["who"],
                                              period_from=YEAR[0], period_to=YEAR[1])
    assert (coverage.service_hours, coverage.honour_hours) == (3.5, 5.0)
    assert (coverage.pending, coverage.declined, coverage.certified) == (1, 1, 0)


@pytest.mark.parametrize("name, masked", [("张晓明", "张*明"), ("李红", "李*"), ("欧阳小明", "欧阳**"), ("王", "王")])
def test_the_given_name_is_masked(name, masked):
    assert selectors.mask_name(name) == masked


def test_records_outside_the_period_are_refused(hours):
    with pytest.raises(ValidationError, match="不在服务期间内"):
        issue(hours, records=hours["records"][:2], period_to=datetime.date(2026, 3, 31))
