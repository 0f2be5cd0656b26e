"""The grid worker's "to verify" list (待核查): cases of their grid fed back by a department, linked from their home."""

from django.urls import reverse

from cases import services
from cases.models import Source

from .conftest import key


def _fed_back(cast, categories, grid_key, description):
    center, department = cast.user("command_center"), cast.user("department_staff")
    case = services.case_create(actor=cast.user("command_center"), source=Source.HOTLINE, grid=cast.place(grid_key),
                                category=categories["city"], description=description, key=key())
    for user, action, extra in ((center, "dispatch", {}), (department, "sign", {}),
                                (department, "feed_back", {"note": "已清理"})):
        case = services.case_act(actor=user, case=case, action=action, version=case.version, key=key(), **extra)
    return case


def test_the_worker_sees_the_cases_of_their_grid_waiting_for_their_check(client, cast, categories,
                                                                         django_assert_max_num_queries):
    mine = _fed_back(cast, categories, "G1", "楼道堆物")
    _fed_back(cast, categories, "G1b", "隔壁网格的事")
    services.case_create(actor=cast.user("grid_worker"), source=Source.PATROL, grid=cast.place("G1"),
                         category=categories["city"], description="刚上报的", key=key())
    client.force_login(cast.user("grid_worker"))
    with django_assert_max_num_queries(8):
        page = client.get(reverse("cases:to_verify"))
    assert [c.reference for c in page.context["rows"]] == [mine.reference]
    assert "楼道堆物" in page.content.decode() and "隔壁网格的事" not in page.content.decode()
    home = client.get(reverse("terminal", args=[cast.place("G1").code])).content.decode()
    assert "待我核查的事件 1 件" in home and reverse("cases:to_verify") in home


def test_an_official_has_no_cases_to_verify_on_a_grid(client, cast, categories):
    _fed_back(cast, categories, "G1", "楼道堆物")
    client.force_login(cast.user("community_official"))
    assert list(client.get(reverse("cases:to_verify")).context["rows"]) == []
    assert "待我核查" not in client.get(reverse("terminal", args=[cast.place("G1").code])).content.decode()


def test_the_workers_grid_page_costs_the_same_queries_however_many_cases_wait(client, cast, categories,
                                                                              django_assert_num_queries):
    client.force_login(cast.user("grid_worker"))
    url = reverse("terminal", args=[cast.place("G1").code])
    _fed_back(cast, categories, "G1", "第一件")
    client.get(url)
    with django_assert_num_queries(14, exact=False) as small:  # at most; the same again below, exactly
        client.get(url)
    for n in range(3):
        _fed_back(cast, categories, "G1", f"又一件{n}")
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(url)
    assert "待我核查的事件 4 件" in page.content.decode()
