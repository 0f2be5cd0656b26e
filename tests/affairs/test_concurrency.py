"""Applications under real parallel connections (PostgreSQL): two handlers stepping at once, one wins and the other
is told to reload (nothing lost: one step, one count); a doubled submission saves one application."""

import pytest
from django.db import connection
from django.test import TestCase

from affairs import services
from affairs.models import Application, ApplicationStep, Mode
from cases import notify
from grids import services as grid_services
from grids.models import Role
from tests.affairs.conftest import key, sent_code, upload
from tests.cast import PASSWORD, build_cast
from tests.test_concurrency import _race
from wudu.errors import Conflict

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real parallel connections (PostgreSQL)"),
]
MOBILE = "13900008888"


def _setup():
    cast = build_cast()
    item = services.service_item_create(
        actor=cast.user(Role.COMMUNITY_OFFICIAL), place=cast.place("C1"), unit_place=cast.place("C1"), name="居住证明",
        applicants="居民", time_limit=3, mode=Mode.ONLINE, legal_basis="依据", materials=[{"name": "身份证"}])
    second = grid_services.person_appoint(
        actor=cast.admin, place=cast.place("C1"), role=Role.COMMUNITY_OFFICIAL, username="c1_b", real_name="社区乙",
        mobile="13900000017", password=PASSWORD).user
    return cast, item, second


def _proof():
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.mobile_code_send(mobile=MOBILE)
    return services.mobile_code_verify(mobile=MOBILE, code=sent_code(MOBILE)).pk


@pytest.mark.django_db(transaction=True)
def test_a_doubled_submission_at_the_same_instant_saves_one_application(settings, tmp_path):
    settings.NOTIFY_CHANNELS, settings.MEDIA_ROOT = ["memory"], str(tmp_path)
    notify.OUTBOX.clear()
    _cast, item, _second = _setup()
    proof, k, requirement = _proof(), key(), item.materials.get()

    def submit(_i):
        return services.application_submit_public(item=item, place=item.place, applicant_name="王女士", mobile=MOBILE,
                                                  proof_id=proof, files={requirement.pk: upload()}, key=k)[0].pk

    results = _race(submit)
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert results[0][1] == results[1][1] and Application.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_handlers_stepping_at_once_one_wins_nothing_lost(settings, tmp_path):
    settings.NOTIFY_CHANNELS, settings.MEDIA_ROOT = ["memory"], str(tmp_path)
    notify.OUTBOX.clear()
    cast, item, second = _setup()
    application, _token = services.application_submit_public(
        item=item, place=item.place, applicant_name="王女士", mobile=MOBILE, proof_id=_proof(),
        files={item.materials.get().pk: upload()}, key=key())
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    services.application_act(actor=official, application=application, action="receive", version=application.version)
    users, version, requirement = [official, second], application.version, item.materials.get().pk

    def request(i):
        return services.application_act(actor=users[i], application=Application.objects.get(pk=application.pk),
                                        action="request_materials", version=version, materials=[requirement],
                                        key=key())

    results = _race(request)
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert any(isinstance(value, Conflict) for _kind, value in results)
    application.refresh_from_db()
    assert application.material_requests == 1
    assert ApplicationStep.objects.filter(application=application, action="request_materials").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_to_rewrite_a_step(settings, tmp_path):
    from django.db import DatabaseError, transaction

    settings.NOTIFY_CHANNELS, settings.MEDIA_ROOT = ["memory"], str(tmp_path)
    notify.OUTBOX.clear()
    _cast, item, _second = _setup()
    application, _token = services.application_submit_public(
        item=item, place=item.place, applicant_name="王女士", mobile=MOBILE, proof_id=_proof(),
        files={item.materials.get().pk: upload()}, key=key())
    for change in (lambda rows: rows.update(note="改写"), lambda rows: rows.delete()):
        with pytest.raises(DatabaseError), transaction.atomic():
            change(ApplicationStep.objects.filter(application=application))
