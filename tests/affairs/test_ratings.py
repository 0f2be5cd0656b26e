"""好差评: the applicant rates a closed application once from the tracking page; a bad rating opens a rectification
the handling unit answers on the application page; the applicant is told by SMS and sees the answer; an
overdue rectification shows on the desk."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from affairs import services
from affairs.models import Rating, Rectification, ResultKind, Satisfaction
from cases import notify
from grids.models import Role
from tests.affairs.conftest import TestCase, key, submit

pytestmark = pytest.mark.django_db


def closed(cast, item, mobile="13900001111"):
    application, token = submit(item, mobile=mobile)
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    for action, inputs in (("receive", {}), ("accept", {}), ("process", {}),
                           ("approve", {"result_kind": ResultKind.COLLECT, "result": "到社区服务站领取"}),
                           ("close", {})):
        services.application_act(actor=official, application=application, action=action,
                                 version=application.version, key=key(), **inputs)
    return application, token


def rate_page(client, token, level, comment="", k=None):
    return client.post(reverse("affairs:rate", args=[token]), {"level": level, "comment": comment, "key": k or key()})


def test_the_applicant_rates_a_closed_application_once_from_the_tracking_page(client, cast, item):
    application, token = closed(cast, item)
    page = client.get(reverse("affairs:track", args=[token])).content.decode()
    assert "data-rate" in page and "非常满意" in page and "非常不满意" in page
    k = key()
    assert rate_page(client, token, Satisfaction.SATISFIED, "很快", k=k).status_code == 302
    assert rate_page(client, token, Satisfaction.SATISFIED, "很快", k=k).status_code == 302  # a retry: the same
    assert Rating.objects.get().level == Satisfaction.SATISFIED
    response = rate_page(client, token, Satisfaction.VERY_UNSATISFIED)
    assert response.status_code == 400 and "不能重复评价" in response.content.decode()
    assert Rating.objects.get().level == Satisfaction.SATISFIED and not Rectification.objects.exists()
    page = client.get(reverse("affairs:track", args=[token])).content.decode()
    assert 'data-rating="4"' in page and "data-rate>" not in page


def test_an_open_application_cannot_be_rated_and_nothing_is_saved(cast, item):
    _application, token = submit(item)
    with pytest.raises(ValidationError, match="办结后"):
        services.application_rate(token=token, level=Satisfaction.SATISFIED, key=key())
    assert not Rating.objects.exists()


def test_nobody_rates_without_the_tracking_token(client, cast, item):
    application, _token = closed(cast, item)
    assert rate_page(client, "x" * 32, Satisfaction.VERY_UNSATISFIED).status_code == 404
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))  # staff have no rating page: only the link's holder
    assert rate_page(client, "x" * 32, Satisfaction.VERY_SATISFIED).status_code == 404
    assert not Rating.objects.exists()


def test_a_key_of_another_applicants_rating_gets_nothing_of_it(cast, item):
    _first, token = closed(cast, item)
    _second, other = closed(cast, item, mobile="13900002222")
    k = key()
    services.application_rate(token=token, level=Satisfaction.SATISFIED, key=k)
    with pytest.raises(ValidationError):
        services.application_rate(token=other, level=Satisfaction.SATISFIED, key=k)
    assert Rating.objects.count() == 1


@pytest.mark.parametrize("level", [Satisfaction.UNSATISFIED, Satisfaction.VERY_UNSATISFIED])
def test_a_bad_rating_opens_a_rectification_due_in_working_days(cast, item, level, settings):
    settings.AFFAIRS_RECTIFY_DAYS = 3
    _application, token = closed(cast, item)
    before = timezone.now()
    rating = services.application_rate(token=token, level=level, comment="态度不好", key=key())
    rectification = rating.rectification
    assert rectification.is_open and not rectification.is_overdue
    assert rectification.due_at >= before + datetime.timedelta(days=3)  # three working days: at least three days


def test_a_fair_rating_opens_no_rectification(cast, item):
    _application, token = closed(cast, item)
    services.application_rate(token=token, level=Satisfaction.FAIRLY_SATISFIED, key=key())
    assert not Rectification.objects.exists()


def test_the_unit_answers_the_applicant_is_told_by_sms_and_sees_it(client, cast, item):
    application, token = closed(cast, item)
    services.application_rate(token=token, level=Satisfaction.VERY_UNSATISFIED, comment="跑了两趟", key=key())
    page = client.get(reverse("affairs:track", args=[token])).content.decode()
    assert 'data-rectification="open"' in page
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    client.force_login(official)
    detail = reverse("affairs:detail", args=[application.reference])
    page = client.get(detail).content.decode()
    assert 'data-action="rectify"' in page and "跑了两趟" in page
    url = reverse("affairs:rectify", args=[application.reference])
    assert client.post(url, {"answer": ""}).status_code == 400
    notify.OUTBOX.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(url, {"answer": "已约谈窗口人员，改为预约上门送达"}).status_code == 302
    assert [to for to, message in notify.OUTBOX if "整改答复" in message] == [application.applicant_mobile]
    assert 'data-action="rectify"' not in client.get(detail).content.decode()
    client.logout()
    page = client.get(reverse("affairs:track", args=[token])).content.decode()
    assert 'data-rectification="answered"' in page and "已约谈窗口人员，改为预约上门送达" in page
    with pytest.raises(ValidationError, match="已答复"):
        services.rectification_answer(actor=official, application=application, answer="另一个答复")


def test_only_the_handling_unit_answers(client, cast, item):
    application, token = closed(cast, item)
    services.application_rate(token=token, level=Satisfaction.UNSATISFIED, key=key())
    with pytest.raises(PermissionDenied):
        services.rectification_answer(actor=cast.user(Role.STREET_OFFICIAL), application=application, answer="x")
    client.force_login(cast.user(Role.STREET_OFFICIAL))
    detail = reverse("affairs:detail", args=[application.reference])
    assert 'data-action="rectify"' not in client.get(detail).content.decode()
    assert client.post(reverse("affairs:rectify", args=[application.reference]), {"answer": "x"}).status_code == 403
    client.force_login(cast.user(Role.GRID_WORKER))
    assert client.post(reverse("affairs:rectify", args=[application.reference]), {"answer": "x"}).status_code == 404
    assert Rectification.objects.get().is_open


def test_an_overdue_rectification_shows_on_the_desk(client, cast, item, settings):
    application, token = closed(cast, item)
    services.application_rate(token=token, level=Satisfaction.UNSATISFIED, key=key())
    client.force_login(cast.user(Role.STREET_OFFICIAL))  # the levels above see it too
    desk = reverse("affairs:desk")
    page = client.get(desk, {"tab": "rectify"}).content.decode()
    assert f'data-application="{application.reference}"' in page and 'data-rectification="open"' in page
    assert "data-overdue-rectifications" not in page
    Rectification.objects.update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    page = client.get(desk).content.decode()
    assert 'data-overdue-rectifications="1"' in page
    page = client.get(desk, {"tab": "rectify"}).content.decode()
    assert 'data-rectification="overdue"' in page
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    services.rectification_answer(actor=cast.user(Role.COMMUNITY_OFFICIAL), application=application, answer="已整改")
    page = client.get(desk, {"tab": "rectify"}).content.decode()
    assert "data-overdue-rectifications" not in page and f'data-application="{application.reference}"' not in page
    page = client.get(reverse("affairs:detail", args=[application.reference])).content.decode()
    assert "逾期答复" in page


def test_the_rating_is_taken_from_a_page_that_sends_no_referrer(cast, item):
    """The tracking page sends no referrer: a browser posts with "Origin: null", which a CSRF check refuses."""
    from django.test import Client

    _application, token = closed(cast, item)
    browser = Client(enforce_csrf_checks=True, headers={"Origin": "null"})
    browser.get(reverse("affairs:track", args=[token]))
    response = browser.post(reverse("affairs:rate", args=[token]), {"level": Satisfaction.SATISFIED, "key": key()})
    assert response.status_code == 302 and Rating.objects.get().level == Satisfaction.SATISFIED
