"""Text typed by people comes out of the Excel ledger as text: never a live formula, whatever it starts with."""

import datetime
import io
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from grids.models import Role
from ledger import services as ledger
from ledger.models import FindingCategory

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1",
            "=cmd|' /C calc'!A0"]


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def day(cast):
    """Yesterday in G1: one visit per hostile finding, at a household whose address is a formula too."""
    day = timezone.localdate() - datetime.timedelta(days=1)
    worker = cast.user(Role.GRID_WORKER)
    household = ledger.household_create(actor=cast.user(Role.GRID_HEAD), grid=cast.place("G1"),
                                        address="=1+2", unit="@A1", room="-3")
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4(), started_at=_at(day, 8))
    safety = FindingCategory.objects.get(code="safety")
    for i, text in enumerate(FORMULAS):
        ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="household",
                            household=household, visited_at=_at(day, 8, 10 + i), category=safety, finding=text,
                            action=text, settled=False)
    ledger.patrol_end(actor=worker, patrol=patrol, ended_at=_at(day, 9))
    return day


GET = {}  # the export as a browser fetches it (through its job): set for each test


@pytest.fixture(autouse=True)
def _export_get(export_get):
    GET["export"] = export_get


def _sheet(client, day):
    response = GET["export"](client, reverse("ledger:xlsx"), {"date_from": day.isoformat()})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_findings_that_look_like_formulas_are_exported_as_readable_text(client, cast, day):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    sheet = _sheet(client, day)
    body = list(sheet.iter_rows(min_row=3))
    assert len(body) == len(FORMULAS)
    exported = set()
    for row in body:
        finding, action, target = row[10], row[11], row[8]
        for cell in (finding, action, target):
            assert cell.data_type == "s", (cell.coordinate, cell.value)
        assert finding.value == action.value  # the text as typed, nothing added in front
        exported.add(finding.value)
        assert target.value == "=1+2 @A1 -3"
    assert exported == {text.strip() for text in FORMULAS}  # the service strips what surrounds a finding


def test_no_cell_of_the_export_is_a_formula_and_numbers_and_times_stay_typed(client, cast, day):
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    sheet = _sheet(client, day)
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    body = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in body] == list(range(1, len(FORMULAS) + 1))  # numbers
    visited = [row[1] for row in body]
    assert all(isinstance(value, datetime.datetime) for value in visited)  # real times Excel can sort and filter
    local = [timezone.localtime(_at(day, 8, 10 + i)).replace(tzinfo=None) for i in range(len(FORMULAS))]
    assert sorted(visited) == local
    assert sheet.cell(row=3, column=2).number_format == "yyyy-mm-dd hh:mm"


def test_a_place_name_that_looks_like_a_formula_stays_text_in_the_title(client, cast, day):
    from grids.models import Place

    Place.objects.filter(pk=cast.place("G1").pk).update(name="=HYPERLINK(\"http://evil.example\")")
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    response = GET["export"](client, reverse("ledger:xlsx"), {"date_from": day.isoformat(), "place": cast.place("G1").code})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    title = sheet["A1"]
    assert title.data_type == "s" and title.value.startswith("=HYPERLINK")
    assert all(cell.data_type == "s" for cell in next(sheet.iter_rows(min_row=3, max_row=3))[2:6])


def test_a_control_character_in_a_finding_does_not_break_the_export(client, cast, day):
    worker = cast.user(Role.GRID_WORKER)
    patrol = ledger.patrol_start(actor=worker, grid=cast.place("G1"), client_id=uuid.uuid4())
    ledger.visit_record(actor=worker, patrol=patrol, client_id=uuid.uuid4(), visit_type="patrol",
                        category=FindingCategory.objects.get(code="safety"), finding="铃声\x07过响", settled=False)
    client.force_login(cast.user(Role.COMMUNITY_OFFICIAL))
    sheet = _sheet(client, day)
    assert "铃声\ufffd过响" in [row[10] for row in sheet.iter_rows(min_row=3, values_only=True)]
