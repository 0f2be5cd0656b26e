"""Domain rules are defined once (wudu/rules.py): every model field that holds a mobile number applies the same rule."""

import pytest
from django.core.exceptions import ValidationError

from cases.models import Case
from grids.models import Department, Membership, OutpostPartner, User
from ledger.models import Household
from outreach.models import PartyMember
from wudu import rules

MOBILE_FIELDS = [(User, "mobile"), (Household, "phone"), (PartyMember, "mobile"), (Case, "resident_mobile")]
PHONE_FIELDS = [(Department, "phone"), (Membership, "work_phone"), (OutpostPartner, "phone")]


@pytest.mark.parametrize(("model", "name"), MOBILE_FIELDS + PHONE_FIELDS)
def test_every_mobile_field_accepts_a_mainland_mobile(model, name):
    model._meta.get_field(name).run_validators("13812345678")


@pytest.mark.parametrize(("model", "name"), MOBILE_FIELDS + PHONE_FIELDS)
@pytest.mark.parametrize("value", ["12812345678", "10000000000", "1381234567８"])
def test_every_mobile_field_refuses_what_is_no_mainland_mobile(model, name, value):
    with pytest.raises(ValidationError):
        model._meta.get_field(name).run_validators(value)


def test_a_landline_is_a_phone_but_not_a_mobile():
    rules.phone_validator("0374-1234567")
    with pytest.raises(ValidationError):
        rules.mobile_validator("0374-1234567")


def test_the_pages_pattern_is_the_servers_rule():
    assert rules.is_mobile("13812345678") and not rules.is_mobile("12812345678")
    assert rules.resident_mobile_validator.regex.pattern == f"^{rules.MOBILE}$"
