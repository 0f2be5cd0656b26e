"""The dispatcher's desk: accept and dispatch in one step, dispatch a batch, find a case by its reference, the
resident's mobile or a word, read the queue by deadline, notices grouped and filtered, badges that mean something."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from cases import selectors, services
from cases.models import Alert, Case, CaseCategory, CaseEvent, Notification, Source, Status
from cases.templatetags.case_badges import status_badge

from .conftest import key


def reported(cast, categories, description="井盖缺失", grid="G1", category="city", mobile=""):
    return services.case_create(actor=cast.user("grid_worker"), source=Source.PATROL, grid=cast.place(grid),
                                category=categories[category], description=description, key=key(),
                                resident_mobile=mobile)


def filed(cast, categories, description="占道经营", category="city", address=""):
    return services.case_create(actor=cast.user("command_center"), source=Source.HOTLINE, grid=cast.place("G1"),
                                category=categories[category], description=description, key=key(), address=address)


def actions(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("action", flat=True))


# ---------------------------------------------------------------------------------------------- accept and dispatch


def test_accept_and_dispatch_records_both_steps_under_the_center_role(cast, categories):
    case = reported(cast, categories)
    case = services.case_accept_dispatch(actor=cast.user("command_center"), case=case, version=case.version,
                                         note="请三日内处置", key=key())
    assert case.status == Status.DISPATCHED and case.department == cast.departments["chengguan@D"]
    assert case.deadline is not None
    events = list(CaseEvent.objects.filter(case=case).order_by("id"))
    assert [e.action for e in events] == ["create", "accept", "dispatch"]
    assert {e.actor_role for e in events[1:]} == {"command_center"}
    assert events[2].note == "请三日内处置" and events[1].note == ""


def test_accept_and_dispatch_is_one_transaction_a_failed_dispatch_leaves_the_case_unaccepted(cast, categories):
    case = reported(cast, categories)
    with pytest.raises(ValidationError, match="该部门不属于本区"):
        services.case_accept_dispatch(actor=cast.user("command_center"), case=case, version=case.version,
                                      department=cast.departments["chengguan@D2"], key=key())
    assert Case.objects.get(pk=case.pk).status == Status.REPORTED and actions(case) == ["create"]


def test_accept_and_dispatch_retried_with_its_key_answers_the_same_once(cast, categories):
    case, same = reported(cast, categories), key()
    center = cast.user("command_center")
    first = services.case_accept_dispatch(actor=center, case=case, version=case.version, key=same)
    again = services.case_accept_dispatch(actor=center, case=Case.objects.get(pk=case.pk), version=1, key=same)
    assert again.version == first.version and actions(case) == ["create", "accept", "dispatch"]


def test_a_department_or_a_grid_worker_cannot_accept_and_dispatch(cast, categories):
    case = reported(cast, categories)
    for role in ("department_staff", "grid_worker"):
        with pytest.raises(PermissionDenied, match="不能"):
            services.case_accept_dispatch(actor=cast.user(role), case=case, version=case.version, key=key())
    assert actions(case) == ["create"]


def test_the_case_page_offers_accept_and_dispatch_first_and_takes_it_in_one_post(client, cast, categories):
    case = reported(cast, categories)
    client.force_login(cast.user("command_center"))
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert page.index("立案并派遣") < page.index("data-bs-target=\"#step-accept\"")
    response = client.post(reverse("cases:act", args=[case.reference, "accept_dispatch"]),
                           {"version": case.version, "key": key(), "note": ""})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == Status.DISPATCHED


def test_accept_and_dispatch_over_the_api(cast, categories):
    case = reported(cast, categories)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=cast.user('command_center'))[1]}")
    answer = api.post(f"/api/v1/cases/{case.reference}/accept-dispatch/", {"version": case.version}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "dispatched"
    assert [e["action"] for e in answer.json()["events"]] == ["create", "accept", "dispatch"]


# ---------------------------------------------------------------------------------------------- batch


def test_a_batch_dispatches_what_it_can_says_why_not_for_the_rest_and_a_retry_takes_only_those(cast, categories):
    center = cast.user("command_center")
    new, waiting, stale = reported(cast, categories), filed(cast, categories), filed(cast, categories)
    no_department = CaseCategory.objects.create(district=cast.place("D"), code="qita", name="其他")
    orphan = services.case_create(actor=center, source=Source.HOTLINE, grid=cast.place("G1"), category=no_department,
                                  description="无主问题", key=key())
    elsewhere = services.case_create(actor=cast.user("grid_worker"), source=Source.PATROL, grid=cast.place("G1"),
                                     category=categories["city"], description="别处", key=key())
    Case.objects.filter(pk=elsewhere.pk).update(grid=cast.place("G4"))  # out of the center's district
    batch = key()
    items = [(new.reference, new.version), (waiting.reference, waiting.version), (stale.reference, stale.version),
             (orphan.reference, orphan.version), (elsewhere.reference, elsewhere.version), ("2099010100001", 1)]
    # The stale one: someone else moved it after the queue was read.
    Case.objects.filter(pk=stale.pk).update(version=stale.version + 1)
    outcomes = {o.reference: o for o in services.case_dispatch_many(actor=center, items=items, key=batch)}
    assert outcomes[new.reference].ok and outcomes[new.reference].status == Status.DISPATCHED
    assert outcomes[waiting.reference].ok
    assert not outcomes[stale.reference].ok and "刚刚已被他人处理" in outcomes[stale.reference].error
    assert not outcomes[orphan.reference].ok and "请选择处置部门" in outcomes[orphan.reference].error
    assert not outcomes[elsewhere.reference].ok and "无权访问" in outcomes[elsewhere.reference].error
    assert not outcomes["2099010100001"].ok
    assert actions(new) == ["create", "accept", "dispatch"] and actions(waiting) == ["create", "dispatch"]

    # The same batch again, the stale row read anew: the ones done stay done (no second event), it goes through.
    items[2] = (stale.reference, stale.version + 1)
    again = {o.reference: o for o in services.case_dispatch_many(actor=center, items=items, key=batch)}
    assert again[new.reference].ok and again[waiting.reference].ok and again[stale.reference].ok
    assert actions(new) == ["create", "accept", "dispatch"] and actions(waiting) == ["create", "dispatch"]
    assert actions(stale) == ["create", "dispatch"]


def test_a_batch_is_refused_whole_only_when_empty_or_too_long(cast):
    with pytest.raises(ValidationError, match="请至少选择"):
        services.case_dispatch_many(actor=cast.user("command_center"), items=[], key=key())
    too_many = [(f"20990101{i:05d}", 1) for i in range(services.BATCH_MAX + 1)]
    with pytest.raises(ValidationError, match="一次最多"):
        services.case_dispatch_many(actor=cast.user("command_center"), items=too_many, key=key())


def test_the_queue_dispatches_the_picked_rows_and_says_which_failed(client, cast, categories):
    one, two = filed(cast, categories), filed(cast, categories)
    client.force_login(cast.user("command_center"))
    page = client.get(reverse("cases:center") + "?queue=dispatch").content.decode()
    assert 'id="batch-dispatch"' in page and f'value="{one.reference}:{one.version}"' in page
    Case.objects.filter(pk=two.pk).update(version=two.version + 1)
    response = client.post(reverse("cases:dispatch_many"), {
        "key": key(), "case": [f"{one.reference}:{one.version}", f"{two.reference}:{two.version}"], "department": "",
        "note": "", "next": reverse("cases:center") + "?queue=dispatch"})
    assert response["Location"] == reverse("cases:center") + "?queue=dispatch"
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said[0] == "已派遣 1 件事件。" and said[1].startswith(f"{two.reference} 未派遣：")
    assert Case.objects.get(pk=one.pk).status == Status.DISPATCHED


def test_a_batch_over_the_api_answers_per_case(cast, categories):
    one, two = reported(cast, categories), filed(cast, categories)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=cast.user('command_center'))[1]}")
    body = {"cases": [{"reference": one.reference, "version": one.version},
                      {"reference": two.reference, "version": two.version + 5}]}
    answer = api.post("/api/v1/cases/dispatch-many/", body, format="json", HTTP_IDEMPOTENCY_KEY=key()).json()
    assert [(r["reference"], r["ok"]) for r in answer["results"]] == [(one.reference, True), (two.reference, False)]
    assert answer["results"][1]["error"]


# ---------------------------------------------------------------------------------------------- finding and sorting


def test_search_by_reference_mobile_and_words_and_a_department_finds_only_its_own(client, cast, categories,
                                                                                other_department_staff):
    center = cast.user("command_center")
    mine = reported(cast, categories, description="东门路灯不亮", mobile="13812345678")
    services.case_accept_dispatch(actor=center, case=mine, version=mine.version, key=key())
    theirs = reported(cast, categories, description="西门河道污染", category="pollution", mobile="13912345678")
    services.case_accept_dispatch(actor=center, case=theirs, version=theirs.version, key=key())
    filed(cast, categories, description="占道经营", address="魏都路 12 号")

    def found(user, text):
        search = selectors.Search.parse(text)
        return {c.reference for c in selectors.case_list(user, selectors.CaseFilter(search=search))} if search else None

    assert found(center, mine.reference) == {mine.reference}
    assert found(center, "13812345678") == {mine.reference}
    assert found(center, "138123") == set()  # a part of a number is a word, not a mobile: no enumeration
    assert found(center, "路灯") == {mine.reference} and len(found(center, "魏都路")) == 1
    assert found(center, "门") is None  # too short
    dept = cast.user("department_staff")  # 城市管理: not the pollution case
    assert found(dept, theirs.reference) == set() and found(dept, "13912345678") == set()
    assert found(dept, "河道") == set() and found(dept, "路灯") == {mine.reference}
    assert found(other_department_staff, "13912345678") == {theirs.reference}

    client.force_login(dept)
    page = client.get(reverse("cases:department"), {"q": "13912345678"}).content.decode()
    assert theirs.reference not in page and "没有事件" in page
    # The case list page searches with the same selector, combined with its filters.
    listed = client.get(reverse("cases:list"), {"q": "13912345678"}).content.decode()
    assert theirs.reference not in listed
    client.force_login(center)
    listed = client.get(reverse("cases:list"), {"q": "13912345678"}).content.decode()
    assert theirs.reference in listed and mine.reference not in listed
    listed = client.get(reverse("cases:list"), {"q": "路灯", "status": "open"}).content.decode()
    assert mine.reference in listed and theirs.reference not in listed


def test_the_queue_reads_by_nearest_deadline_across_pages(client, cast, categories, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    center, now = cast.user("command_center"), timezone.now()
    cases = [filed(cast, categories, description=f"问题{i}") for i in range(4)]
    for days, case in zip([5, 2, 9, 2], cases, strict=True):
        services.case_dispatch(actor=center, case=case, version=case.version, key=key(),
                               deadline=now + datetime.timedelta(days=days))
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(supervised=True)
    expected = [cases[1].reference, cases[3].reference, cases[0].reference, cases[2].reference]
    queryset = selectors.queue(center, selectors.CENTER_QUEUES, "supervised")
    first, after = selectors.case_page(queryset, "", "deadline")
    second, end = selectors.case_page(queryset, after, "deadline")
    assert [c.reference for c in first + second] == expected and end == ""
    client.force_login(center)
    page = client.get(reverse("cases:center"), {"queue": "supervised", "sort": "deadline"}).content.decode()
    assert page.index(expected[0]) < page.index(expected[1]) and expected[2] not in page
    assert "剩余" in page and "前登记" in page


@pytest.mark.parametrize("size", [1, 6])
def test_search_and_sorted_queues_cost_the_same_queries_whatever_the_volume(client, cast, categories, size,
                                                                           django_assert_num_queries):
    for i in range(size):
        filed(cast, categories, description=f"路灯{i}")
    client.force_login(cast.user("command_center"))
    client.get(reverse("cases:center"))  # the calendar banner's cached figure
    # session, user, grants, counts, page, + the departments of the batch bar
    with django_assert_num_queries(6):
        assert client.get(reverse("cases:center"), {"queue": "dispatch", "sort": "deadline"}).status_code == 200
    with django_assert_num_queries(5):  # no batch bar on search results
        assert client.get(reverse("cases:center"), {"q": "路灯"}).status_code == 200
    with django_assert_num_queries(6):  # + the access log's record of a personal-data search
        assert client.get(reverse("cases:center"), {"q": "13812345678"}).status_code == 200


# ---------------------------------------------------------------------------------------------- badges


def test_badges_say_overdue_due_soon_waiting_for_me_finished(cast, categories):
    center, dept = cast.user("command_center"), cast.user("department_staff")
    mine_center, mine_dept = selectors.my_statuses(center), selectors.my_statuses(dept)
    case = filed(cast, categories)
    assert status_badge(case, mine_center)["css"] == "text-bg-primary"  # 待派遣: the center's move
    assert status_badge(case, mine_dept)["state"] == "elsewhere"
    case = services.case_dispatch(actor=center, case=case, version=case.version, key=key())
    assert status_badge(case, mine_dept)["state"] == "mine" and status_badge(case, mine_center)["state"] == "elsewhere"
    case.alert = Alert.DUE_SOON
    assert status_badge(case, mine_center)["css"] == "text-bg-warning"
    case.alert = Alert.OVERDUE
    assert status_badge(case, mine_dept)["css"] == "text-bg-danger"
    case.status, case.alert = Status.CLOSED, Alert.NONE
    assert status_badge(case, mine_center)["css"] == "text-bg-success"


# ---------------------------------------------------------------------------------------------- notices


def test_notices_filter_by_kind_group_by_case_and_mark_read(client, cast, categories,
                                                           django_capture_on_commit_callbacks):
    center = cast.user("command_center")
    with django_capture_on_commit_callbacks(execute=True):
        first, second = reported(cast, categories), reported(cast, categories, description="第二件")
        case = filed(cast, categories)
        case = services.case_dispatch(actor=center, case=case, version=case.version, key=key())
        services.case_send_back(actor=cast.user("department_staff"), case=case, version=case.version,
                                note="不属本部门")
    Notification.objects.create(user=center, case=first, kind="overdue", message="又一条", dedupe_key="x")
    client.force_login(center)
    kinds = {k: n for k, _label, n in selectors.notice_kinds(center)}
    assert kinds == {"create": 2, "send_back": 1, "overdue": 1}
    page = client.get(reverse("notifications:list"), {"kind": "send_back", "unread": "1"}).content.decode()
    assert page.count('data-notice="send_back"') == 1 and 'data-notice="create"' not in page
    grouped = client.get(reverse("notifications:list"), {"group": "case"}).content.decode()
    assert grouped.count("data-case-group=") == 3 and "2 条未读" in grouped
    client.post(reverse("notifications:read"), {"kind": "create"})
    assert {k for k, _label, _n in selectors.notice_kinds(center)} == {"send_back", "overdue"}
    client.post(reverse("notifications:read"), {"case": first.reference})
    client.post(reverse("notifications:read"), {})
    assert not Notification.objects.filter(user=center, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=center, case=second).exists()


def test_no_one_is_told_of_their_own_step_and_acting_on_a_case_reads_its_notices(cast, categories,
                                                                                 django_capture_on_commit_callbacks):
    center = cast.user("command_center")
    with django_capture_on_commit_callbacks(execute=True):
        case = filed(cast, categories)  # the center entered it: not told of it
    assert not Notification.objects.filter(user=center).exists()
    with django_capture_on_commit_callbacks(execute=True):
        case = reported(cast, categories)
    assert Notification.objects.filter(user=center, case=case, read_at__isnull=True).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.case_accept_dispatch(actor=center, case=case, version=case.version, key=key())
    assert not Notification.objects.filter(user=center, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=cast.user("department_staff"), case=case, kind="dispatch").count() == 1


# ---------------------------------------------------------------------------------------------- the hotline form


@pytest.mark.parametrize("more", [0, 6])
def test_the_hotline_form_offers_the_grids_to_the_map_by_code_in_the_same_queries_however_many(
        client, cast, categories, more, django_assert_num_queries):
    from grids import services as grid_services

    for n in range(more):
        grid_services.place_create(actor=cast.admin, parent=cast.place("C2"), name=f"新网格{n}")
    client.force_login(cast.user("command_center"))
    client.get(reverse("cases:new"))  # the calendar banner's cached figure
    # session, user, grants, whether one grid only (to choose it), the grids with their community and street, categories
    with django_assert_num_queries(6):
        page = client.get(reverse("cases:new")).content.decode()
    g2 = cast.place("G2")
    assert f'value="{g2.pk}" data-code="{g2.code}"' in page
    assert page.count("data-code=") == 4 + more  # the district's grids, each with its code for the map
    # The map picks from the public grid polygons (one cached endpoint, not this page's queries) and says the choice.
    assert 'id="case-map"' in page and f'data-geojson-url="{reverse("public:map")}"' in page
    assert "data-say-choice" in page and "data-locate-me" in page and "js/grid-picker.js" in page
