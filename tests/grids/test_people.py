import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grids import services
from grids.models import Membership, Role, User


def test_mobile_must_be_eleven_digits(cast):
    with pytest.raises(ValidationError) as error:
        services.person_appoint(
            actor=cast.admin, place=cast.place("G2"), role=Role.GRID_WORKER, username="shortmobile",
            real_name="短号", mobile="1390000",
        )
    assert "11 位手机号码" in str(error.value)
    assert not User.objects.filter(username="shortmobile").exists()  # nothing half-saved


def test_role_must_match_the_level_of_its_place(cast):
    with pytest.raises(ValidationError) as error:
        services.membership_create(
            actor=cast.admin, user=cast.user(Role.GRID_WORKER), role=Role.GRID_HEAD, place=cast.place("C1")
        )
    assert "网格长只能在网格任职" in str(error.value)


def test_department_staff_need_a_department_of_their_district(cast):
    with pytest.raises(ValidationError) as error:
        services.person_appoint(
            actor=cast.admin, place=cast.place("D"), role=Role.DEPARTMENT_STAFF, username="nodept",
            real_name="无部门", mobile="13900000009",
        )
    assert "必须指定所属部门" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.person_appoint(
            actor=cast.admin, place=cast.place("D"), role=Role.DEPARTMENT_STAFF, username="otherdept",
            real_name="外区", mobile="13900000009", department=cast.departments["chengguan@D2"],
        )
    assert "部门不属于该区" in str(error.value)


def test_a_person_may_hold_several_memberships(cast):
    worker = cast.user(Role.GRID_WORKER)
    services.membership_create(actor=cast.admin, user=worker, role=Role.GRID_WORKER, place=cast.place("G1b"))
    assert Membership.objects.filter(user=worker).count() == 2


def test_community_official_appoints_grid_staff_but_not_peers(cast):
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    membership = services.person_appoint(
        actor=official, place=cast.place("G1"), role=Role.GRID_WORKER, username="newworker", real_name="新网格员",
        mobile="13900000010",
    )
    assert membership.place == cast.place("G1")
    with pytest.raises(PermissionDenied):
        services.person_appoint(
            actor=official, place=cast.place("C1"), role=Role.COMMUNITY_OFFICIAL, username="peer", real_name="同级",
            mobile="13900000011",
        )
    with pytest.raises(PermissionDenied):
        services.person_appoint(
            actor=official, place=cast.place("G2"), role=Role.GRID_WORKER, username="elsewhere", real_name="外社区",
            mobile="13900000012",
        )


def test_officials_become_staff_for_the_admin_and_grid_staff_do_not(cast):
    assert cast.user(Role.COMMUNITY_OFFICIAL).is_staff
    assert not cast.user(Role.GRID_WORKER).is_staff


def test_nobody_is_appointed_from_out_of_sight_whatever_the_path(cast):
    """The service itself refuses (the admin's raw-id box once let 董庄 appoint a worker of another street)."""
    stranger = User.objects.get(username="worker_G3")
    official = cast.user(Role.COMMUNITY_OFFICIAL)
    with pytest.raises(ValidationError) as refused:
        services.membership_create(actor=official, user=stranger, role=Role.GRID_WORKER, place=cast.place("G1"))
    assert refused.value.message_dict == {"user": ["人员不存在或无权访问。"]}
    assert not Membership.objects.filter(user=stranger, place=cast.place("G1")).exists()
    # Someone the official sees, or a new account serving nowhere, can be appointed.
    newcomer = User.objects.create_user(username="newcomer", real_name="新人")
    services.membership_create(actor=official, user=newcomer, role=Role.GRID_WORKER, place=cast.place("G1"))
    services.membership_create(actor=official, user=User.objects.get(username="worker_G1b"), role=Role.GRID_WORKER,
                               place=cast.place("G1"))
