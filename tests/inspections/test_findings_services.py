"""Findings through their services: who records where and when, the dates and deadline rules, disclosure without
personal data, idempotent retries, versioned edits, dismissal and evidence. Bad input is refused with a clear
message and nothing is saved."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from inspections.models import Finding, FindingEvidence, FindingStatus, Team
from inspections.services import findings as services
from inspections.services.rounds import months_after, team_create
from tests.inspections.findings_helpers import cast_round, pdf, photo, record, tick_off
from wudu.errors import Conflict

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_inspector_records_a_finding_for_their_team_with_the_default_deadline(cast):
    finding = record(cast)
    round_ = cast_round()
    assert finding.team.name == "第一巡察组" and finding.round == round_ and finding.status == FindingStatus.RECORDED
    assert finding.recorded_by == cast.user("inspector") and finding.recorded_role == "inspector"
    # no feedback yet: two months from the day found
    assert finding.rectification_due == months_after(timezone.localdate(), 2)


def test_deadline_counts_from_the_feedback_day(cast):
    round_ = cast_round()
    round_.feedback_on = timezone.localdate() - 2 * DAY
    round_.save()
    finding = record(cast)
    assert finding.rectification_due == months_after(round_.feedback_on, round_.rectification_months)


@pytest.mark.parametrize("extra, field, message", [
    ({"rectification_due": "yesterday"}, "rectification_due", "整改期限不能早于发现日期"),
    ({"found_on": "tomorrow"}, "found_on", "发现日期不能晚于今天"),
    ({"found_on": "before_round"}, "found_on", "须在巡察轮次"),
    ({"disclosure": "public"}, "public_summary", "公开的问题须填写脱敏后的公开摘要"),
    ({"disclosure": "public", "public_summary": "居民反映可拨打13812345678联系"}, "public_summary", "个人信息"),
    ({"disclosure": "public", "public_summary": "身份证411002199001011234登记有误"}, "public_summary", "个人信息"),
    ({"title": "  "}, "title", "请填写问题"),
])
def test_bad_input_is_refused_and_nothing_is_saved(cast, extra, field, message):
    today = timezone.localdate()
    dates = {"yesterday": today - DAY, "tomorrow": today + DAY,
             "before_round": cast_round().starts_on - DAY}
    extra = {name: dates.get(value, value) if isinstance(value, str) else value for name, value in extra.items()}
    with pytest.raises(ValidationError) as refused:
        record(cast, **extra)
    assert field in refused.value.message_dict and message in " ".join(refused.value.message_dict[field])
    assert not Finding.objects.exists()


def test_a_clean_public_summary_is_kept(cast):
    finding = record(cast, disclosure="public", public_summary="社区走访台账缺失，已要求补齐。")
    assert finding.public_summary == "社区走访台账缺失，已要求补齐。"


@pytest.mark.parametrize("place", ["C2", "C3", "S1"])
def test_inspector_cannot_record_outside_their_coverage(cast, place):
    with pytest.raises(PermissionDenied):
        record(cast, place=place)
    assert not Finding.objects.exists()


def test_inspector_cannot_record_after_the_coverage_expired(cast):
    round_ = cast_round()
    past = timezone.localdate() - datetime.timedelta(days=200)
    type(round_).objects.filter(pk=round_.pk).update(starts_on=past, ends_on=past + 29 * DAY,
                                                      follow_up_until=past + 60 * DAY)
    with pytest.raises(PermissionDenied):
        record(cast, found_on=past + DAY)
    assert not Finding.objects.exists()


def test_the_office_names_a_team_that_covers_the_place(cast):
    office = cast.user("inspection_office")
    round_ = cast_round()
    other = team_create(actor=office, round=round_, name="第二巡察组", leader=cast.user("district_official"),
                        places=[cast.place("S2")])
    with pytest.raises(ValidationError) as refused:
        record(cast, actor=office, team=other)  # C1 is the first team's
    assert "place" in refused.value.message_dict
    finding = record(cast, actor=office, place="C3", team=other)
    assert finding.team == other and finding.recorded_role == "inspection_office"


def test_a_retry_with_the_same_key_records_once(cast):
    key = uuid.uuid4()
    first = record(cast, idempotency_key=key, files=[photo()])
    again = record(cast, idempotency_key=key, files=[photo()])
    assert first.pk == again.pk and Finding.objects.count() == 1 and FindingEvidence.objects.count() == 1


def test_concurrent_edits_one_wins_the_other_conflicts(cast):
    finding = record(cast)
    seen = finding.version
    services.finding_update(actor=cast.user("inspector"), finding=Finding.objects.get(pk=finding.pk),
                            expected_version=seen, title="台账缺失")
    with pytest.raises(Conflict):
        services.finding_update(actor=cast.user("inspection_office"), finding=Finding.objects.get(pk=finding.pk),
                                expected_version=seen, severity="major")
    assert Finding.objects.get(pk=finding.pk).title == "台账缺失"
    assert Finding.objects.get(pk=finding.pk).severity == "minor"


def test_no_edit_once_a_task_is_ticked_off(cast):
    finding = record(cast)
    tick_off(cast, finding)
    with pytest.raises(ValidationError, match="销号"):
        services.finding_update(actor=cast.user("inspector"), finding=Finding.objects.get(pk=finding.pk),
                                title="改一下")


def test_an_official_of_the_place_reads_but_cannot_edit(cast):
    finding = record(cast)
    official = cast.user("community_official")
    assert Finding.objects.visible_to(official).filter(pk=finding.pk).exists()
    with pytest.raises(PermissionDenied):
        services.finding_update(actor=official, finding=finding, title="改一下")


def test_dismissal_needs_a_reason_and_no_tasks(cast):
    finding = record(cast)
    with pytest.raises(ValidationError):
        services.finding_dismiss(actor=cast.user("inspector"), finding=finding, reason=" ")
    dismissed = services.finding_dismiss(actor=cast.user("inspector"), finding=finding, reason="经核实不属实")
    assert dismissed.status == FindingStatus.DISMISSED and dismissed.dismissed_reason == "经核实不属实"
    other = record(cast, title="另一个问题")
    tick_off(cast, other)
    with pytest.raises(ValidationError, match="已交办"):
        services.finding_dismiss(actor=cast.user("inspection_office"), finding=Finding.objects.get(pk=other.pk),
                                 reason="不属实")


def test_a_team_member_who_is_not_the_leader_cannot_dismiss(cast):
    finding = record(cast)
    member = cast.user("district_official")
    team = Team.objects.get(name="第一巡察组")
    team.members.create(user=member)
    with pytest.raises(PermissionDenied):
        services.finding_dismiss(actor=member, finding=finding, reason="不属实")


def test_evidence_dedupes_by_content_and_refuses_other_types(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    finding = record(cast, files=[pdf()])
    assert services.finding_evidence_add(actor=cast.user("inspector"), finding=finding, files=[pdf(), photo()]) == 1
    assert FindingEvidence.objects.filter(finding=finding).count() == 2
    with pytest.raises(ValidationError, match="PDF、JPG 或 PNG"):
        services.finding_evidence_add(actor=cast.user("inspector"), finding=finding,
                                      files=[SimpleUploadedFile("a.exe", b"MZ")])
    with pytest.raises(ValidationError, match="不是有效的 PDF"):
        services.finding_evidence_add(actor=cast.user("inspector"), finding=finding,
                                      files=[SimpleUploadedFile("fake.pdf", b"hello")])


def test_evidence_size_limit_comes_from_settings(cast, settings):
    settings.INSPECTION_EVIDENCE_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="超过"):
        record(cast, files=[pdf(b"x" * 100)])
    assert not Finding.objects.exists()
