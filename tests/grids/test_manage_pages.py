import json

from django.urls import reverse

from grids import geo
from grids.models import Membership, Place, Role, User


def _create(client, key, place, data):
    return client.post(reverse("manage:create", args=[key]) + f"?place={place.code}", data)


def test_overlapping_new_grid_is_refused_with_the_reason_and_nothing_saved(client, cast):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    boundary = json.dumps(geo.rectangle(113.0, 34.5, 113.1, 34.52))
    # G1 covers this corner: the new grid overlaps it and is refused with the reason, nothing saved.
    response = _create(client, "place", cast.place("C1"), {"name": "第3网格", "boundary": boundary})
    assert response.status_code == 400
    assert "重叠" in response.content.decode()
    assert not Place.objects.filter(name="第3网格").exists()


def test_double_submitted_create_form_saves_once(client, cast):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    data = {"name": "第3网格", "idempotency_key": "0b1f5e8c-2f43-4d0c-9d8b-1a2b3c4d5e6f"}
    first = _create(client, "place", cast.place("C1"), data)
    second = _create(client, "place", cast.place("C1"), data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Place.objects.filter(name="第3网格").count() == 1
    assert Place.objects.get(name="第3网格").code == cast.place("C1").code + "003"


def test_bad_mobile_in_the_appointment_form_shows_the_reason_and_saves_nothing(client, cast):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    response = _create(client, "membership", cast.place("G1"), {
        "role": "grid_worker", "username": "newbie", "real_name": "新人", "mobile": "12345",
    })
    assert response.status_code == 400
    assert "11 位手机号码" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_appointment_form_offers_only_roles_of_that_level(client, cast):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    response = client.get(reverse("manage:create", args=["membership"]) + f"?place={cast.place('G1').code}")
    roles = [value for value, _label in response.context["form"].fields["role"].choices]
    assert roles == ["grid_head", "instructor", "grid_worker"]


def test_stale_edit_is_refused_with_reload_message(client, cast):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    grid = cast.place("G1")
    url = reverse("manage:edit", args=["place", grid.pk])
    assert client.post(url, {"name": "甲改", "version": 1}).status_code == 302
    response = client.post(url, {"name": "乙改", "version": 1})
    assert response.status_code == 400
    assert "已被他人修改" in response.content.decode()
    assert Place.objects.get(pk=grid.pk).name == "甲改"


def test_list_pages_use_a_constant_number_of_queries(client, cast, django_assert_num_queries):
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    url = reverse("manage:list", args=["membership"])
    client.get(url)
    with django_assert_num_queries(4):  # session, user, grants, one page of memberships with joins
        response = client.get(url)
    count = len(response.context["object_list"])
    for n in range(6):
        Membership.objects.create(user=User.objects.create(username=f"x{n}"), role="grid_worker", place=cast.place("G2"))
    with django_assert_num_queries(4):
        response = client.get(url)
    assert len(response.context["object_list"]) == count + 6


def test_list_pages_go_deep_by_keyset(client, cast):
    client.force_login(cast.user(Role.DISTRICT_OFFICIAL))
    for n in range(60):
        Membership.objects.create(user=User.objects.create(username=f"k{n}"), role="grid_worker", place=cast.place("G2"))
    first = client.get(reverse("manage:list", args=["membership"]))
    assert len(first.context["object_list"]) == 50 and first.context["next_after"]
    second = client.get(reverse("manage:list", args=["membership"]), {"after": first.context["next_after"]})
    seen = {m.pk for m in first.context["object_list"]} & {m.pk for m in second.context["object_list"]}
    assert not seen and second.context["object_list"]


def test_grid_worker_is_refused_the_create_form_with_403(client, cast):
    client.force_login(cast.user(Role.GRID_WORKER))
    response = client.get(reverse("manage:create", args=["place"]) + f"?place={cast.place('G1').code}")
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


def test_a_doubled_spot_check_submission_records_one_check_unseen_by_the_grid(client, cast):
    from ledger.models import SpotCheck

    client.force_login(cast.user(Role.STREET_OFFICIAL))
    data = {"checked_on": "2026-11-20", "findings": "网格员未在岗", "score": "72.5",
            "idempotency_key": "3f0c8f5e-2b1d-4c55-9a77-1b2c3d4e5f60"}
    first = _create(client, "spot_check", cast.place("G1"), data)
    again = _create(client, "spot_check", cast.place("G1"), data)
    assert first.status_code == again.status_code == 302 and SpotCheck.objects.count() == 1
    client.force_login(cast.user(Role.GRID_HEAD))
    listing = client.get(reverse("manage:list", args=["spot_check"]))
    assert list(listing.context["object_list"]) == []
