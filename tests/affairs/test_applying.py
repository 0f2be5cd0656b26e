"""Applying: the one-time code, what a submission must carry, idempotency, 帮办代办."""

import datetime
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from affairs import services
from affairs.models import Application, MobileCode, Mode
from cases import notify
from grids.models import Role
from ledger import services as ledger_services
from tests.affairs.conftest import files_for, key, materials, proof, send, sent_code, submit, upload

pytestmark = pytest.mark.django_db
MOBILE = "13900002222"


def test_the_code_arrives_by_sms_and_is_kept_only_as_digests(cast, item):
    send(MOBILE)
    code = sent_code(MOBILE)
    row = MobileCode.objects.get()
    assert code not in row.code_digest and MOBILE not in row.mobile_digest
    assert services.mobile_code_verify(mobile=MOBILE, code=code).verified_at


def test_a_wrong_code_counts_and_the_fifth_wrong_try_kills_it(cast, item, settings):
    send(MOBILE)
    code = sent_code(MOBILE)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError, match=f"还可以再试 {left} 次"):
            services.mobile_code_verify(mobile=MOBILE, code=wrong)
    with pytest.raises(ValidationError, match="错误次数过多"):
        services.mobile_code_verify(mobile=MOBILE, code=wrong)
    with pytest.raises(ValidationError, match="错误次数过多"):
        services.mobile_code_verify(mobile=MOBILE, code=code)  # even the right one, now


def test_a_code_expires_after_ten_minutes(cast, item):
    send(MOBILE)
    later = timezone.now() + datetime.timedelta(minutes=10, seconds=1)
    with pytest.raises(ValidationError, match="过期"):
        services.mobile_code_verify(mobile=MOBILE, code=sent_code(MOBILE), now=later)


def test_sending_is_limited_per_mobile_and_per_network(cast, item, settings):
    settings.AFFAIRS_CODES_PER_MOBILE_PER_HOUR = 2
    settings.AFFAIRS_CODES_PER_IP_PER_HOUR = 3
    send(MOBILE)
    send(MOBILE)
    with pytest.raises(ValidationError, match="过于频繁"):
        send(MOBILE)
    send("13900003333")  # third from this network
    with pytest.raises(ValidationError, match="过于频繁"):
        send("13900004444")
    send("13900004444", ip="10.0.0.2")
    assert len(notify.OUTBOX) == 4


def test_neither_code_nor_mobile_is_logged(cast, item, settings, caplog):
    settings.NOTIFY_CHANNELS = ["log", "memory"]
    with caplog.at_level(logging.DEBUG):
        send(MOBILE)
    code = sent_code(MOBILE)
    assert MOBILE not in caplog.text and code not in caplog.text


def test_a_submission_needs_a_verified_unused_code(cast, item):
    with pytest.raises(ValidationError, match="验证"):
        services.application_submit_public(item=item, place=item.place, applicant_name="王女士", mobile=MOBILE,
                                           proof_id=None, files=files_for(item), key=key())
    proven = proof(MOBILE)
    with pytest.raises(ValidationError, match="验证"):  # a proof of another mobile
        services.application_submit_public(item=item, place=item.place, applicant_name="王女士", mobile="13900009999",
                                           proof_id=proven, files=files_for(item), key=key())
    services.application_submit_public(item=item, place=item.place, applicant_name="王女士", mobile=MOBILE,
                                       proof_id=proven, files=files_for(item), key=key())
    with pytest.raises(ValidationError, match="验证"):  # used once
        services.application_submit_public(item=item, place=item.place, applicant_name="王女士", mobile=MOBILE,
                                           proof_id=proven, files=files_for(item), key=key())


def test_a_retried_submission_with_the_same_key_returns_the_same_application(cast, item):
    k = key()
    first, token = submit(item, k=k)
    again, no_token = services.application_submit_public(
        item=item, place=item.place, applicant_name="王女士", mobile="13900001111", proof_id=None,
        files=files_for(item), key=k)
    assert again.pk == first.pk and token and no_token is None and Application.objects.count() == 1


def test_missing_and_oversized_materials_are_refused_and_nothing_is_saved(cast, item):
    id_card, lease, _other = materials(item)
    with pytest.raises(ValidationError) as error:
        submit(item, files={id_card.pk: upload()})
    assert f"material_{lease.pk}" in error.value.message_dict
    with pytest.raises(ValidationError, match="不能超过 1 KB"):
        submit(item, files={id_card.pk: upload(), lease.pk: upload(size=1025)})
    assert Application.objects.count() == 0
    # the proof of a refused submission was not spent
    assert MobileCode.objects.filter(used_at__isnull=False).count() == 0


def test_an_item_the_place_does_not_offer_or_only_in_person_is_refused(cast, item):
    with pytest.raises(ValidationError, match="不提供"):
        services.application_submit_public(item=item, place=cast.place("C2"), applicant_name="王女士", mobile=MOBILE,
                                           proof_id=proof(MOBILE), files=files_for(item), key=key())
    services.service_item_update(actor=cast.user(Role.COMMUNITY_OFFICIAL), item=item, version=item.version,
                                 mode=Mode.IN_PERSON)
    item.refresh_from_db()
    with pytest.raises(ValidationError, match="只能现场办理"):
        submit(item)


def test_a_grid_worker_applies_on_behalf_of_a_household_of_their_grid(cast, item):
    worker = cast.user(Role.GRID_WORKER)
    household = ledger_services.household_create(actor=cast.admin, grid=cast.place("G1"), address="董庄路 1 号")
    application, token = services.application_submit_for(
        actor=worker, item=item, household=household, applicant_name="李大爷", mobile="13900005555",
        files=files_for(item), key=key())
    assert application.on_behalf_of == worker and application.household == household and token
    assert application.steps.get().note == "网格员帮办代办"
    elsewhere = ledger_services.household_create(actor=cast.admin, grid=cast.place("G3"), address="丁庄路 9 号")
    with pytest.raises(PermissionDenied):
        services.application_submit_for(actor=worker, item=item, household=elsewhere, applicant_name="张",
                                        mobile="13900006666", files=files_for(item), key=key())


def test_an_item_needs_exactly_one_handling_unit_at_or_above_its_place(cast):
    official = cast.user(Role.STREET_OFFICIAL)
    with pytest.raises(ValidationError):
        services.service_item_create(actor=official, place=cast.place("S1"), name="无单位", applicants="居民",
                                     time_limit=3, legal_basis="依据")
    with pytest.raises(ValidationError, match="本级或其上级"):
        services.service_item_create(actor=official, place=cast.place("S1"), unit_place=cast.place("C1"),
                                     name="下级办理", applicants="居民", time_limit=3, legal_basis="依据")
    with pytest.raises(PermissionDenied):
        services.service_item_create(actor=cast.user(Role.COMMUNITY_OFFICIAL), place=cast.place("S1"),
                                     unit_place=cast.place("S1"), name="越权", applicants="居民", time_limit=3,
                                     legal_basis="依据")
