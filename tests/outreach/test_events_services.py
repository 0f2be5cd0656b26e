"""Events through their services: drafts, publishing (future only; a past event only as a back-entry published by
someone else who may record it), versioned edits, cancelling, the report after the event, and the volunteer
organisations. Bad input is refused with a message and nothing is half-saved."""

from __future__ import annotations

import datetime
import io
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from grids.models import Role
from outreach import services
from outreach.models import Event, EventPhoto, EventStatus, PartyOrganization, VolunteerOrganization
from wudu.errors import Conflict

HOUR = datetime.timedelta(hours=1)


def _photo(color="red") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, format="JPEG")
    return SimpleUploadedFile(f"{color}.jpg", out.getvalue(), content_type="image/jpeg")


def _draft(cast, *, actor=None, place="C1", starts_in=HOUR * 48, **extra) -> Event:
    starts_at = timezone.now() + starts_in
    values = {"kind": "lecture", "title": "垃圾分类宣讲", "venue": cast.place(place), "starts_at": starts_at,
              "ends_at": starts_at + 2 * HOUR, **extra}
    return services.event_create(actor=actor or cast.user(Role.COMMUNITY_OFFICIAL), **values)


def test_a_future_event_is_drafted_then_published(cast):
    event = _draft(cast, planned_audience=80)
    assert event.status == EventStatus.DRAFT and event.organizer == cast.place("C1")
    published = services.event_publish(actor=cast.user(Role.COMMUNITY_OFFICIAL), event=event)
    assert published.status == EventStatus.PUBLISHED and not published.is_back_entry


def test_create_is_idempotent_by_key(cast):
    key = uuid.uuid4()
    first = _draft(cast, idempotency_key=key)
    again = _draft(cast, idempotency_key=key)
    assert first.pk == again.pk and Event.objects.count() == 1


@pytest.mark.parametrize("change, field, message", [
    ({"ends_in": -HOUR}, "ends_at", "结束时间必须晚于开始时间"),
    ({"planned_audience": -3}, "planned_audience", "不能为负数"),
    ({"planned_audience": 1_000_000}, "planned_audience", "超出合理范围"),
])
def test_bad_input_is_refused_and_nothing_is_saved(cast, change, field, message):
    starts_at = timezone.now() + 48 * HOUR
    ends_at = starts_at + change.pop("ends_in", 2 * HOUR)
    with pytest.raises(ValidationError) as refused:
        services.event_create(actor=cast.user(Role.COMMUNITY_OFFICIAL), kind="lecture", title="宣讲",
                              venue=cast.place("C1"), starts_at=starts_at, ends_at=ends_at, **change)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Event.objects.exists()


def test_a_past_event_cannot_be_published_by_its_creator_nor_without_a_reason(cast):
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    event = _draft(cast, starts_in=-72 * HOUR)
    with pytest.raises(ValidationError) as no_reason:
        services.event_publish(actor=cast.user(Role.STREET_OFFICIAL), event=event)
    assert "补录原因" in str(no_reason.value)
    with pytest.raises(ValidationError) as own:
        services.event_publish(actor=official, event=event, back_entry_reason="当日系统故障未能登记")
    assert "创建人以外" in str(own.value)
    event.refresh_from_db()
    assert event.status == EventStatus.DRAFT and event.back_entry_approved_by is None


def test_a_back_entry_is_published_by_a_second_person_who_may_record_it(cast):
    event = _draft(cast, starts_in=-72 * HOUR, back_entry_reason="当日网络中断，事后补录")
    with pytest.raises(PermissionDenied):  # a grid worker may not record events: no approver
        services.event_publish(actor=cast.user(Role.GRID_WORKER), event=event)
    street = cast.user(Role.STREET_OFFICIAL)
    published = services.event_publish(actor=street, event=event)
    assert published.status == EventStatus.PUBLISHED and published.is_back_entry
    assert published.back_entry_approved_by == street


def test_an_update_is_versioned_and_cannot_move_a_published_event_into_the_past(cast):
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    event = services.event_publish(actor=official, event=_draft(cast))
    services.event_update(actor=official, event=event, expected_version=event.version, title="垃圾分类进社区")
    stale = Event.objects.get(pk=event.pk)
    stale.version -= 1
    with pytest.raises(Conflict):
        services.event_update(actor=official, event=stale, expected_version=stale.version, title="旧的")
    with pytest.raises(ValidationError) as past:
        services.event_update(actor=official, event=event, starts_at=timezone.now() - 5 * HOUR,
                              ends_at=timezone.now() - 3 * HOUR)
    assert "已过去" in str(past.value)
    assert Event.objects.get(pk=event.pk).title == "垃圾分类进社区"


def test_the_report_comes_after_the_event_and_makes_it_held_with_photos(cast):
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    event = services.event_publish(actor=official, event=_draft(cast, starts_in=HOUR))
    with pytest.raises(ValidationError, match="活动结束后"):
        services.event_report(actor=official, event=event, actual_audience=60, audience_counted_by="headcount",
                              report="讲解了四分类")
    later = event.ends_at + HOUR
    for bad, message in ((-1, "不能为负数"), (100_000, "超出合理范围")):
        with pytest.raises(ValidationError, match=message):
            services.event_report(actor=official, event=event, actual_audience=bad, audience_counted_by="headcount",
                                  report="讲解了四分类", now=later, photos=[_photo()])
    assert not EventPhoto.objects.exists()
    held = services.event_report(actor=official, event=event, actual_audience=63, audience_counted_by="registration",
                                 report="讲解了四分类，居民现场练习投放。", photos=[_photo(), _photo("blue")], now=later)
    assert held.status == EventStatus.HELD and held.actual_audience == 63
    assert held.photos.count() == 2


def test_a_report_needs_how_the_audience_was_counted(cast):
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    event = services.event_publish(actor=official, event=_draft(cast, starts_in=HOUR))
    with pytest.raises(ValidationError) as refused:
        services.event_report(actor=official, event=event, actual_audience=10, audience_counted_by="",
                              report="简报", now=event.ends_at + HOUR)
    assert "audience_counted_by" in refused.value.message_dict


def test_a_cancelled_event_cannot_be_published_or_reported(cast):
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    event = services.event_cancel(actor=official, event=_draft(cast))
    with pytest.raises(ValidationError):
        services.event_publish(actor=official, event=event)
    with pytest.raises(ValidationError):
        services.event_report(actor=official, event=event, actual_audience=1, audience_counted_by="estimate",
                              report="x", now=event.ends_at + HOUR)


def test_an_instructor_records_events_at_their_grid_only(cast):
    instructor = cast.user(Role.INSTRUCTOR)
    party = PartyOrganization.objects.get(place=cast.place("G1"))
    event = _draft(cast, actor=instructor, place="G1", organizer=party, kind="party_lesson")
    assert event.party_organization == party
    with pytest.raises(PermissionDenied):
        _draft(cast, actor=instructor, place="G1b")
    with pytest.raises(PermissionDenied):
        _draft(cast, actor=cast.user(Role.GRID_HEAD), place="G1")


def test_an_organiser_out_of_sight_is_refused(cast):
    hidden = PartyOrganization.objects.get(place=cast.place("G3"))
    with pytest.raises(ValidationError) as refused:
        _draft(cast, organizer=hidden)
    assert "主办方" in str(refused.value)


def test_volunteer_organisations_are_registered_above_the_grid(cast):
    district = cast.user(Role.DISTRICT_OFFICIAL)
    org = services.volunteer_org_create(actor=district, place=cast.place("D"), name="魏都区环保志愿者协会",
                                        phone="0374-5551234")
    assert VolunteerOrganization.objects.visible_to(cast.user(Role.GRID_WORKER)).filter(pk=org.pk).exists()
    with pytest.raises(ValidationError, match="区、街道或社区"):
        services.volunteer_org_create(actor=district, place=cast.place("G1"), name="网格队")
    with pytest.raises(ValidationError):
        services.volunteer_org_create(actor=district, place=cast.place("D"), name="电话错", phone="12345")
    with pytest.raises(PermissionDenied):
        services.volunteer_org_update(actor=cast.user(Role.COMMUNITY_OFFICIAL), organization=org, name="改名")
    org = services.volunteer_org_update(actor=district, organization=org, expected_version=1, contact_name="李红")
    assert org.version == 2 and org.contact_name == "李红"
    # a community's people see the district's organisation and may name it as an event's organiser
    event = _draft(cast, organizer=org)
    assert event.volunteer_organization == org
