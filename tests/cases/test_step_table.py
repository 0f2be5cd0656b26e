"""One row of workflow.STEPS per step drives the page's form, the API's input, the service and the notices: what a
step asks for is what each surface asks for, and an input or photo a step does not take is refused, not lost."""

import inspect
import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from knox.models import AuthToken
from PIL import Image
from rest_framework.test import APIClient

from cases import services, workflow
from cases.api import STEP_SERIALIZERS
from cases.forms import StepForm
from cases.models import Case, CaseEvent, Notification, Source, Status

from .conftest import key


def filed(cast, categories) -> Case:
    return services.case_create(actor=cast.user("command_center"), source=Source.HOTLINE, grid=cast.place("G1"),
                                category=categories["city"], description="井盖缺失", key=key())


@pytest.mark.parametrize("name", list(workflow.STEPS))
def test_the_form_and_the_api_ask_for_what_the_step_row_names(cast, categories, name):
    step = workflow.STEPS[name]
    form = StepForm(step=step, case=filed(cast, categories))
    assert list(form.fields) == ["version", "key", *step.inputs, "note"]
    assert form.fields["note"].required == step.note_required and form.fields["note"].max_length == step.note_max
    assert form.photos == step.photos
    api_fields = set(STEP_SERIALIZERS[name]().fields)
    assert api_fields == {"version", "note", *step.inputs, *(["photos"] if step.photos else [])}


def test_every_step_has_a_typed_entry_point_whose_arguments_are_its_inputs():
    common = {"actor", "case", "version", "note", "key", "now"}
    for name, step in workflow.STEPS.items():
        entry = getattr(services, f"case_{name}")
        parameters = set(inspect.signature(entry).parameters)
        expected = common | set(step.inputs) | ({"photos"} if step.photos else set()) | (
            {"token"} if step.resident else set())
        assert parameters == expected, name


def test_the_loop_through_the_typed_entry_points_records_each_step_under_its_role(cast, categories,
                                                                                   django_capture_on_commit_callbacks):
    center, dept, worker = cast.user("command_center"), cast.user("department_staff"), cast.user("grid_worker")
    with django_capture_on_commit_callbacks(execute=True):
        case = filed(cast, categories)
        services.case_dispatch(actor=center, case=case, version=case.version, note="请尽快处理")
        services.case_sign(actor=dept, case=case, version=case.version)
        services.case_request_extension(actor=dept, case=case, version=case.version, days=2, note="需采购井盖")
        deadline = case.deadline
        services.case_approve_extension(actor=center, case=case, version=case.version)
        assert case.deadline > deadline
        services.case_supervise(actor=center, case=case, version=case.version)
        services.case_feed_back(actor=dept, case=case, version=case.version, note="已更换井盖")
        services.case_rework(actor=worker, case=case, version=case.version, note="井盖不平")
        services.case_feed_back(actor=dept, case=case, version=case.version, note="已调平")
        services.case_verify(actor=worker, case=case, version=case.version, note="已核实")
        services.case_evaluate(actor=None, case=case, version=case.version, token=case.tracking_token,
                               evaluation="satisfied", note="很快")
    assert case.status == Status.CLOSED and case.evaluation == "satisfied" and case.supervised
    events = list(CaseEvent.objects.filter(case=case).order_by("id").values_list("action", "actor_role"))
    assert events == [
        ("create", "command_center"), ("dispatch", "command_center"), ("sign", "department_staff"),
        ("request_extension", "department_staff"), ("approve_extension", "command_center"),
        ("supervise", "command_center"), ("feed_back", "department_staff"), ("rework", "grid_worker"),
        ("feed_back", "department_staff"), ("verify", "grid_worker"), ("evaluate", "resident"),
    ]
    # the table's `tell`: the department heard of the dispatch, the approval, the supervision and the rework
    heard = set(Notification.objects.filter(user=dept, case=case).values_list("kind", flat=True))
    assert heard == {"dispatch", "approve_extension", "supervise", "rework"}


def test_a_case_is_supervised_once_and_then_no_longer_offered(cast, categories):
    center = cast.user("command_center")
    case = filed(cast, categories)
    services.case_supervise(actor=center, case=case, version=case.version)
    assert "supervise" not in [s.name for s in workflow.available_steps(center, case)]
    with pytest.raises(ValidationError, match="不能执行“督办”"):
        services.case_supervise(actor=center, case=case, version=case.version)


def test_an_input_the_step_does_not_take_is_refused_by_name(cast, categories):
    case = filed(cast, categories)
    with pytest.raises(ValidationError) as refused:
        services.case_act(actor=cast.user("command_center"), case=case, action="accept", version=case.version,
                          key=key(), days=3)
    assert list(refused.value.message_dict) == ["days"]
    case.refresh_from_db()
    assert case.status == Status.FILED and case.events.count() == 1


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    return client


def test_the_api_refuses_photos_on_a_step_that_takes_none_and_changes_nothing(cast, categories):
    center = cast.user("command_center")
    case = filed(cast, categories)
    services.case_dispatch(actor=center, case=case, version=case.version)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    photo = SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png")
    response = _api(cast.user("department_staff")).post(
        f"/api/v1/cases/{case.reference}/sign/", {"version": case.version, "photos": [photo]}, format="multipart",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert response.status_code == 400, response.content
    assert "签收" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and not case.photos.exists()
