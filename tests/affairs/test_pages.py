"""The pages: a resident finds an item, proves their mobile, applies with uploads, tracks and resubmits; the
handling unit's queue and its step actions."""

import pytest
from django.urls import reverse

from affairs import services
from affairs.models import Application, Status
from grids.models import Role
from tests.affairs.conftest import TestCase, key, materials, sent_code, submit, upload

pytestmark = pytest.mark.django_db
MOBILE = "13900007777"


def test_the_catalogue_lists_a_communitys_items_and_those_above_it(client, cast, item):
    page = client.get(reverse("affairs:catalogue"), {"place": cast.place("C1").code}).content.decode()
    assert "居住证明" in page
    page = client.get(reverse("affairs:catalogue"), {"place": cast.place("C2").code}).content.decode()
    assert "居住证明" not in page


def test_the_item_page_shows_materials_with_examples_mode_and_limit(client, cast, item):
    page = client.get(reverse("affairs:item", args=[item.pk])).content.decode()
    assert "租房合同" in page and "示例：正反面" in page and "全程网办" in page and "3 个工作日" in page


def test_a_resident_applies_mobile_code_form_and_lands_on_the_tracking_page(client, cast, item):
    url = reverse("affairs:apply", args=[item.pk]) + f"?place={cast.place('C1').code}"
    assert 'value="send"' in client.get(url).content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        page = client.post(url, {"step": "send", "mobile": MOBILE}).content.decode()
    assert 'value="verify"' in page
    response = client.post(url, {"step": "verify", "code": "000000" if sent_code(MOBILE) != "000000" else "111111"})
    assert response.status_code == 400 and "还可以再试 4 次" in response.content.decode()
    page = client.post(url, {"step": "verify", "code": sent_code(MOBILE)}).content.decode()
    assert 'value="submit"' in page and "租房合同" in page
    id_card, lease, _other = materials(item)
    # A missing material is refused next to its field, nothing saved.
    response = client.post(url, {"step": "submit", "name": "王女士", "key": key(),
                                 f"material_{id_card.pk}": upload()})
    assert response.status_code == 400 and "请上传“租房合同”" in response.content.decode()
    assert not Application.objects.exists()
    response = client.post(url, {"step": "submit", "name": "王女士", "key": key(),
                                 f"material_{id_card.pk}": upload(), f"material_{lease.pk}": upload()}, follow=True)
    application = Application.objects.get()
    assert application.applicant_mobile == MOBILE and application.status == Status.SUBMITTED
    page = response.content.decode()
    assert application.reference in page and "已提交" in page and MOBILE not in page
    assert response.redirect_chain[-1][0].startswith("/affairs/t/")


def test_the_tracking_page_lists_what_is_missing_and_takes_the_materials(client, cast, item):
    application, token = submit(item)
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    services.application_act(actor=official, application=application, action="receive", version=application.version)
    id_card, lease, _other = materials(item)
    services.application_act(actor=official, application=application, action="request_materials",
                             version=application.version, materials=[id_card.pk, lease.pk], note="均不清晰")
    url = reverse("affairs:track", args=[token])
    page = client.get(url).content.decode()
    assert "请一次补齐以下材料" in page and "租房合同" in page and "王女士" not in page
    response = client.post(reverse("affairs:resubmit", args=[token]),
                           {f"material_{id_card.pk}": upload(), "key": key()})
    assert response.status_code == 400 and "租房合同" in response.content.decode()
    response = client.post(reverse("affairs:resubmit", args=[token]),
                           {f"material_{id_card.pk}": upload(), f"material_{lease.pk}": upload(), "key": key()})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.RESUBMITTED


def test_an_unknown_token_is_404(client, cast, item):
    assert client.get(reverse("affairs:track", args=["x" * 32])).status_code == 404


def test_the_handling_unit_takes_steps_from_the_page_and_a_second_request_is_warned(client, cast, item):
    application, token = submit(item)
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    client.force_login(official)
    assert application.reference in client.get(reverse("affairs:desk")).content.decode()
    detail = reverse("affairs:detail", args=[application.reference])
    page = client.get(detail).content.decode()
    assert "13900001111" in page and 'data-action="receive"' in page

    def post(action, **data):
        application.refresh_from_db()
        fields = {f"{action}-{k}": v for k, v in {"version": application.version, "key": key(), **data}.items()}
        return client.post(reverse("affairs:act", args=[application.reference, action]), fields, follow=True)

    post("receive")
    id_card, lease, other = materials(item)
    post("request_materials", materials=[str(lease.pk)])
    services.application_resubmit(token=token, files={lease.pk: upload(), other.pk: upload()})
    response = post("request_materials", materials=[str(id_card.pk)])
    assert response.status_code == 400 and "一次性告知" in response.content.decode()
    response = post("request_materials", materials=[str(other.pk)])
    assert "第二次补正告知" in response.content.decode()
    services.application_resubmit(token=token, files={other.pk: upload()})
    response = post("refuse", reason="不符合条件")
    assert response.status_code == 400 and "不予办理须写明依据" in response.content.decode()


def test_a_reader_above_the_unit_sees_no_personal_data_and_no_actions(client, cast, item):
    application, _token = submit(item)
    street = cast.user(Role.STREET_OFFICIAL)
    client.force_login(street)
    page = client.get(reverse("affairs:detail", args=[application.reference])).content.decode()
    assert "13900001111" not in page and "王女士" not in page and "data-action=" not in page
    worker = cast.user(Role.GRID_WORKER)
    client.force_login(worker)
    assert client.get(reverse("affairs:detail", args=[application.reference])).status_code == 404


def test_a_grid_worker_applies_for_a_household_from_its_page(client, cast, item):
    from ledger import services as ledger_services

    household = ledger_services.household_create(actor=cast.admin, grid=cast.place("G1"), address="董庄路 3 号",
                                                 head_name="李大爷", phone="13900001234")
    worker = cast.user(Role.GRID_WORKER)
    client.force_login(worker)
    url = reverse("affairs:on_behalf", args=[household.pk])
    assert "居住证明" in client.get(url).content.decode()
    id_card, lease, _other = materials(item)
    response = client.post(f"{url}?item={item.pk}", {"name": "李大爷", "mobile": "13900001234", "key": key(),
                                                       f"material_{id_card.pk}": upload(),
                                                       f"material_{lease.pk}": upload()})
    application = Application.objects.get()
    assert response.status_code == 302 and application.on_behalf_of == worker and application.household == household
    # the worker reads what they applied for; another grid's worker cannot even open the household's page
    assert client.get(reverse("affairs:detail", args=[application.reference])).status_code == 200
    elsewhere = ledger_services.household_create(actor=cast.admin, grid=cast.place("G3"), address="丁庄路 1 号")
    assert client.get(reverse("affairs:on_behalf", args=[elsewhere.pk])).status_code == 404


def test_materials_are_served_to_the_handling_unit_only(client, cast, item):
    application, _token = submit(item)
    url = application.materials.first().file.url
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    assert client.get(url).status_code == 200
    client.force_login(cast.user(Role.GRID_HEAD))
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_the_menu_and_the_households_page_lead_to_the_affairs_pages(client, cast, item):
    from ledger import services as ledger_services

    catalogue, desk = reverse("affairs:catalogue"), reverse("affairs:desk")
    home = client.get(reverse("public:index")).content.decode()
    assert f'href="{catalogue}"' in home and f'href="{desk}"' not in home  # a resident: 网上办事
    household = ledger_services.household_create(actor=cast.admin, grid=cast.place("G1"), address="董庄路 3 号",
                                                 head_name="李大爷", phone="13900001234")
    page = reverse("manage:detail", args=["household", household.pk])
    on_behalf = reverse("affairs:on_behalf", args=[household.pk])
    client.force_login(cast.user(Role.GRID_WORKER))
    html = client.get(page).content.decode()
    assert f'href="{desk}"' in html and f'href="{on_behalf}"' in html  # the desk in the menu; 帮办代办 on the page
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))  # reads the household, applies for nobody
    html = client.get(page).content.decode()
    assert f'href="{desk}"' in html and f'href="{on_behalf}"' not in html


def test_the_desk_pages_open_and_finished_applications_newest_first(client, cast, item, monkeypatch,
                                                                    django_assert_num_queries):
    from affairs import selectors

    official = cast.user(Role.COMMUNITY_OFFICIAL)
    first, _t = submit(item, mobile="13900000001")
    second, _t = submit(item, mobile="13900000002")
    refused, _t = submit(item, mobile="13900000003")
    for action, data in (("receive", {}), ("refuse", {"reason": "不符合条件", "basis": "《居住证暂行条例》第十二条"})):
        refused.refresh_from_db()
        services.application_act(actor=official, application=refused, action=action, version=refused.version,
                                 key=key(), **data)
    monkeypatch.setattr(selectors, "DESK_PAGE_SIZE", 1)
    client.force_login(official)
    desk = reverse("affairs:desk")

    def rows(url):
        page = client.get(url)
        return [a.reference for a in page.context["applications"]], page.context["next"]

    assert rows(desk) == ([second.reference], str(second.pk))
    assert rows(f"{desk}?tab=open&after={second.pk}") == ([first.reference], "")
    assert rows(f"{desk}?tab=finished") == ([refused.reference], "")
    with django_assert_num_queries(4):  # session, user, grants, one page
        client.get(f"{desk}?tab=open&after={second.pk}")


def test_the_desk_and_the_tracking_page_mark_an_application_due_soon_then_overdue(client, cast, item):
    import datetime

    from django.utils import timezone

    official = cast.user(Role.COMMUNITY_OFFICIAL)
    application, token = submit(item)
    for action in ("receive", "accept"):
        application.refresh_from_db()
        services.application_act(actor=official, application=application, action=action,
                                 version=application.version, key=key())
    client.force_login(official)
    desk, track = reverse("affairs:desk"), reverse("affairs:track", args=[token])

    def clock(url):
        page = client.get(url).content.decode()
        return [mark for mark in ("overdue", "due_soon") if f'data-clock="{mark}"' in page]

    assert clock(desk) == [] and clock(track) == []  # three working days from now
    now = timezone.now()
    Application.objects.filter(pk=application.pk).update(due_soon_at=now - datetime.timedelta(hours=1))
    assert clock(desk) == ["due_soon"] and clock(track) == ["due_soon"]
    Application.objects.filter(pk=application.pk).update(due_at=now - datetime.timedelta(minutes=1))
    assert clock(desk) == ["overdue"] and clock(track) == ["overdue"]


def test_opening_an_application_with_the_applicants_data_is_an_access_event(client, cast, item):
    from audit.models import AccessEvent

    application, _token = submit(item)
    target = f"affairs.Application:{application.pk}"
    detail = reverse("affairs:detail", args=[application.reference])
    client.force_login(cast.user(Role.STREET_OFFICIAL))  # reads it, without the applicant's name and mobile
    assert client.get(detail).status_code == 200
    assert not AccessEvent.objects.filter(kind="personal_read", target=target).exists()
    official = cast.user(Role.COMMUNITY_OFFICIAL)  # the handling unit: sees them, and that is recorded
    client.force_login(official)
    assert "13900001111" in client.get(detail).content.decode()
    assert AccessEvent.objects.filter(kind="personal_read", target=target, user=official).count() == 1
