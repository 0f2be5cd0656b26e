"""Residents' self-service (自助式网上办理): submit without an account, track through the private link, evaluate."""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image

from cases import services
from cases.models import Case, CaseEvent, Evaluation, Kind, Source, Status

from .conftest import key

MOBILE = "13812345678"
IN_G1 = {"lng": "113.1", "lat": "34.7"}  # inside 董庄社区 第1网格 (G1)
SUBMIT = "/suqiu/"


def fields(categories, **overrides):
    data = {"mobile": MOBILE, "name": "王女士", "category": categories["city"].pk,
            "description": "小区门口的垃圾三天没人清运", "grid": "", "address": "六一路 12 号院", "key": key(),
            "website": "", **IN_G1}
    data.update(overrides)
    return data


def submit(categories, *, now=None, **overrides) -> Case:
    """A case submitted straight through the service, as the form would."""
    values = dict(category=categories["city"], description="路灯不亮", resident_mobile=MOBILE, key=key(),
                  lng=113.1, lat=34.7, client_ip=None, now=now)
    values.update(overrides)
    return services.case_submit_public(**values)


def close(cast, case: Case) -> Case:
    """Round the loop to 已结案: the command center files and dispatches, the department handles, it is verified."""
    center, department = cast.user("command_center"), cast.user("department_staff")
    for user, action, note in ((center, "accept", "内部意见：诉求属实，请城管处理"), (center, "dispatch", ""),
                               (department, "sign", ""), (department, "feed_back", "垃圾已全部清运，并增加清运频次"),
                               (center, "verify", "现场核查已清理干净")):
        case = services.case_act(actor=user, case=case, action=action, version=case.version, key=key(), note=note)
    return case


def track_url(case: Case) -> str:
    return reverse("cases_public:track", args=[case.tracking_token])


def evaluate_url(case: Case) -> str:
    return reverse("cases_public:evaluate", args=[case.tracking_token])


def photo(name="p.jpg", colour="red"):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="JPEG")
    out.seek(0)
    out.name = name
    return out


# ---------------------------------------------------------------------------------------------- submitting


def test_the_form_offers_public_categories_and_grids_grouped_by_street_and_community(client, cast, categories):
    services.case_category_create(actor=cast.user("system_admin"), district=cast.place("D"), code="neibu",
                                  name="内部督办类", public=False)
    response = client.get(SUBMIT)
    assert response.status_code == 200
    page = response.content.decode()
    assert "市容环境" in page and "环境污染" in page and "内部督办类" not in page
    assert 'label="魏都区 · 新兴街道 · 董庄社区"' in page
    assert f'value="{cast.place("G1b").code}"' in page
    # A fresh client key in the form, the map reading the public grid polygons, and no inline script.
    assert re.search(r'name="key" value="[0-9a-f-]{36}"', page)
    assert f'data-geojson-url="{reverse("public:map")}"' in page
    assert "<script>" not in page and 'name="website"' in page


def test_a_resident_submits_and_lands_on_the_tracking_page_with_the_reference(client, cast, categories):
    response = client.post(SUBMIT, fields(categories), follow=True)
    case = Case.objects.get()
    assert response.redirect_chain == [(track_url(case), 302)]
    page = response.content.decode()
    assert f"受理编号 {case.reference}" in page and "保存本页链接" in page
    assert case.source == Source.RESIDENT and case.status == Status.REPORTED and case.grid == cast.place("G1")
    assert case.resident_mobile == MOBILE and case.resident_name == "王女士" and case.client_ip == "127.0.0.1"


def test_a_resident_without_the_map_chooses_the_grid_from_the_list(client, cast, categories):
    client.post(SUBMIT, fields(categories, lng="", lat="", grid=cast.place("G1b").code))
    case = Case.objects.get()
    assert case.grid == cast.place("G1b") and case.lng is None


def test_photos_are_kept_with_the_case(client, cast, categories):
    response = client.post(SUBMIT, {**fields(categories), "photos": [photo("a.jpg"), photo("b.jpg", "blue")]})
    assert response.status_code == 302
    assert Case.objects.get().photos.count() == 2


def test_more_than_five_photos_are_refused_next_to_the_field(client, cast, categories):
    response = client.post(SUBMIT, {**fields(categories), "photos": [photo(f"{i}.jpg") for i in range(6)]})
    assert response.status_code == 400
    assert "最多上传 5 张照片" in response.content.decode() and not Case.objects.exists()


def test_a_double_post_with_the_same_key_creates_one_case(client, cast, categories):
    data = fields(categories)
    first = client.post(SUBMIT, data)
    second = client.post(SUBMIT, data)
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"] == track_url(Case.objects.get())


def test_a_filled_honeypot_creates_nothing_and_says_nothing_specific(client, cast, categories):
    response = client.post(SUBMIT, fields(categories, website="http://spam.example"))
    assert response.status_code == 400
    assert "提交未成功" in response.content.decode()
    assert not Case.objects.exists()


def test_an_invalid_mobile_is_shown_in_chinese_and_the_description_is_kept(client, cast, categories):
    response = client.post(SUBMIT, fields(categories, mobile="12345"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "请输入 11 位手机号码" in page
    assert "小区门口的垃圾三天没人清运</textarea>" in page and 'value="六一路 12 号院"' in page
    assert 'aria-invalid="true"' in page
    assert not Case.objects.exists()


def test_a_submission_without_a_place_asks_for_one(client, cast, categories):
    response = client.post(SUBMIT, fields(categories, lng="", lat=""))
    assert response.status_code == 400
    assert "请在地图上点选问题位置，或选择所在网格" in response.content.decode()


def test_a_point_outside_every_grid_is_refused_at_the_map(client, cast, categories):
    response = client.post(SUBMIT, fields(categories, lng="120.0", lat="30.0"))
    assert response.status_code == 400
    assert "不在本区任何网格内" in response.content.decode() and not Case.objects.exists()


def test_the_third_submission_of_a_day_from_one_mobile_is_refused(client, cast, categories, settings):
    settings.CASE_PUBLIC_PER_MOBILE_PER_DAY = 2
    for _ in range(2):
        assert client.post(SUBMIT, fields(categories)).status_code == 302
    response = client.post(SUBMIT, fields(categories))
    assert response.status_code == 429
    page = response.content.decode()
    assert "提交过于频繁" in page and "小区门口的垃圾三天没人清运" in page
    assert Case.objects.count() == 2


# ---------------------------------------------------------------------------------------------- tracking


def test_the_tracking_page_shows_progress_but_no_staff_names_internal_notes_or_mobile(client, cast, categories):
    case = close(cast, submit(categories, resident_name="王女士"))
    response = client.get(track_url(case))
    assert response.status_code == 200
    page = response.content.decode()
    for shown in (case.reference, "市容环境", "已结案", "董庄社区 · 第1网格", "城市管理", "提交", "立案", "派遣",
                  "垃圾已全部清运，并增加清运频次", "现场核查已清理干净"):
        assert shown in page, shown
    for role in ("department_staff", "grid_worker", "command_center", "grid_head"):
        assert cast.user(role).real_name not in page
    assert "内部意见" not in page and MOBILE not in page and "13900000001" not in page
    assert '<meta name="robots" content="noindex' in page
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_tracking_page_does_not_offer_evaluation_while_the_case_is_open(client, cast, categories):
    case = submit(categories)
    page = client.get(track_url(case)).content.decode()
    assert "待受理" in page and "data-evaluate-form" not in page


def test_an_unknown_tracking_token_is_404(client, cast, categories):
    submit(categories)
    assert client.get(reverse("cases_public:track", args=["not-a-real-token"])).status_code == 404
    assert client.post(reverse("cases_public:evaluate", args=["not-a-real-token"]),
                       {"evaluation": "satisfied", "version": 1}).status_code == 404


@pytest.mark.parametrize("closed", [False, True])
def test_the_tracking_page_uses_two_queries_however_long_the_history(client, cast, categories, closed,
                                                                     django_assert_num_queries):
    case = submit(categories)
    if closed:
        case = close(cast, case)
    with django_assert_num_queries(2):
        assert client.get(track_url(case)).status_code == 200


# ---------------------------------------------------------------------------------------------- lookup


def test_lookup_with_a_wrong_mobile_or_reference_gives_one_generic_answer(client, cast, categories):
    case = submit(categories)
    url = reverse("cases_public:lookup")
    wrong_mobile = client.post(url, {"reference": case.reference, "mobile": "13999999999"})
    no_such_case = client.post(url, {"reference": "2099010100001", "mobile": MOBILE})
    answers = set()
    for response in (wrong_mobile, no_such_case):
        assert response.status_code == 200
        answers.add(re.search(r"data-form-errors><div>(.*?)</div>", response.content.decode()).group(1))
    assert answers == {"未找到与该手机号匹配的受理编号"}


def test_lookup_with_the_right_mobile_opens_the_tracking_page(client, cast, categories):
    case = submit(categories)
    response = client.post(reverse("cases_public:lookup"), {"reference": case.reference, "mobile": MOBILE})
    assert response.status_code == 302 and response["Location"] == track_url(case)


def test_guessing_at_the_lookup_is_stopped_for_the_hour_after_the_allowed_failures(client, cast, categories,
                                                                                   settings):
    settings.CASE_LOOKUP_FAILURES_PER_IP = "3/h"
    case = submit(categories)
    url = reverse("cases_public:lookup")
    right = {"reference": case.reference, "mobile": MOBILE}
    assert client.post(url, right).status_code == 302  # finding one's own case spends nothing
    for tail in range(3):
        assert client.post(url, {"reference": case.reference, "mobile": f"1399999999{tail}"}).status_code == 200
    stopped = client.post(url, right)  # now even the right pair waits: a guess that hits must not show
    assert stopped.status_code == 429 and "查询失败次数过多" in stopped.content.decode()
    assert client.post(url, right, REMOTE_ADDR="10.1.2.3").status_code == 302  # another address is not affected


def test_behind_the_load_balancer_the_limits_count_each_resident_not_the_balancer(client, cast, categories,
                                                                                  settings):
    settings.NUM_PROXIES = 1
    settings.CASE_LOOKUP_FAILURES_PER_IP = "1/h"
    url = reverse("cases_public:lookup")
    wrong = {"reference": "2099010100001", "mobile": MOBILE}
    balancer = {"REMOTE_ADDR": "10.0.0.1"}
    assert client.post(url, wrong, HTTP_X_FORWARDED_FOR="203.0.113.7", **balancer).status_code == 200
    assert client.post(url, wrong, HTTP_X_FORWARDED_FOR="203.0.113.7", **balancer).status_code == 429
    # Another resident through the same balancer; a forged first hop does not change who is asking.
    assert client.post(url, wrong, HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.9", **balancer).status_code == 200
    client.post(SUBMIT, fields(categories), HTTP_X_FORWARDED_FOR="198.51.100.9", **balancer)
    assert Case.objects.get().client_ip == "198.51.100.9"


# ---------------------------------------------------------------------------------------------- evaluation


def evaluation_form(client, case) -> dict:
    form = client.get(track_url(case)).context["form"]
    return {"version": form.initial["version"], "key": form.initial["key"]}


def test_a_resident_evaluates_a_closed_case_once_through_the_page(client, cast, categories):
    case = close(cast, submit(categories))
    page = client.get(track_url(case)).content.decode()
    assert "data-evaluate-form" in page and "基本满意" in page
    hidden = evaluation_form(client, case)
    response = client.post(evaluate_url(case), {**hidden, "evaluation": "satisfied", "comment": "处理很及时"},
                           follow=True)
    assert response.redirect_chain == [(track_url(case), 302)]
    page = response.content.decode()
    assert "感谢您的评价" in page and 'data-verdict="satisfied"' in page and "处理很及时" in page
    assert "data-evaluate-form" not in page
    case.refresh_from_db()
    assert case.evaluation == Evaluation.SATISFIED

    # A second verdict, from a tab still showing the form, is refused and says why.
    again = client.post(evaluate_url(case), {"version": hidden["version"], "key": key(), "evaluation": "unsatisfied"})
    assert again.status_code == 409
    assert "您已经评价过该诉求，不能重复评价" in again.content.decode()
    case.refresh_from_db()
    assert case.evaluation == Evaluation.SATISFIED and case.events.filter(action="evaluate").count() == 1


def test_a_double_clicked_evaluation_counts_once(client, cast, categories):
    case = close(cast, submit(categories))
    data = {**evaluation_form(client, case), "evaluation": "basic"}
    assert client.post(evaluate_url(case), data).status_code == 302
    assert client.post(evaluate_url(case), data).status_code == 302
    assert CaseEvent.objects.filter(case=case, action="evaluate").count() == 1


def test_the_evaluation_form_works_from_a_page_that_sends_no_referrer(cast, categories):
    # Browsers post a form from a no-referrer page with "Origin: null"; the token, not a cookie, is the authority.
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    case = close(cast, submit(categories))
    response = client.post(evaluate_url(case), {**evaluation_form(client, case), "evaluation": "satisfied"},
                           headers={"Origin": "null"})
    assert response.status_code == 302


def test_an_evaluation_without_a_verdict_is_shown_next_to_the_choices(client, cast, categories):
    case = close(cast, submit(categories))
    response = client.post(evaluate_url(case), {**evaluation_form(client, case), "comment": "还行"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请选择满意、基本满意或不满意" in page and "还行</textarea>" in page
    assert response["Referrer-Policy"] == "no-referrer"


def test_an_open_case_cannot_be_evaluated(client, cast, categories):
    case = submit(categories)
    response = client.post(evaluate_url(case), {"version": case.version, "key": key(), "evaluation": "satisfied"})
    assert response.status_code == 409 and "尚未办结" in response.content.decode()


def test_an_unsatisfied_petitioner_reopens_the_petition_from_the_page(client, cast, categories):
    center, department = cast.user("command_center"), cast.user("department_staff")
    case = services.case_create(actor=center, source=Source.HOTLINE, grid=cast.place("G1"), kind=Kind.PETITION,
                                category=categories["city"], description="多次反映噪声扰民", key=key(),
                                resident_mobile=MOBILE)
    for user, action, note in ((center, "dispatch", ""), (department, "sign", ""), (department, "feed_back", "已约谈"),
                               (center, "verify", "")):
        case = services.case_act(actor=user, case=case, action=action, version=case.version, key=key(), note=note)
    assert case.status == Status.AWAITING_EVALUATION
    response = client.post(evaluate_url(case), {**evaluation_form(client, case), "evaluation": "unsatisfied"},
                           follow=True)
    page = response.content.decode()
    assert "已重新交办处理" in page and "data-evaluate-form" not in page
    case.refresh_from_db()
    assert case.status == Status.FILED
