"""The admin tells nobody a personal field they may not see: not by a column, a form, a search or a filter."""

from django.urls import reverse

from grids.models import Role

BACKEND = "django.contrib.auth.backends.ModelBackend"
PEOPLE = reverse("admin:grids_user_changelist")


def test_an_official_cannot_filter_people_by_a_mobile_they_may_not_see(client, cast):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL), backend=BACKEND)
    assert client.get(PEOPLE, {"mobile__startswith": "139"}).status_code == 400
    listed = client.get(PEOPLE, {"q": "13900000001"})
    assert listed.status_code == 200 and list(listed.context["cl"].result_list) == []
    shown = client.get(PEOPLE)
    assert shown.status_code == 200 and "u_grid_worker" in shown.content.decode()


def test_the_command_center_cannot_filter_party_members_by_mobile(client, cast):
    client.force_login(cast.user(Role.COMMAND_CENTER), backend=BACKEND)
    members = reverse("admin:outreach_partymember_changelist")
    assert client.get(members, {"mobile": "13700000001"}).status_code == 400
    assert client.get(members).status_code == 200


def test_the_superuser_still_finds_a_person_by_mobile(client, cast):
    client.force_login(cast.admin, backend=BACKEND)
    found = client.get(PEOPLE, {"q": "13900000002"})
    assert found.status_code == 200 and len(found.context["cl"].result_list) == 4
