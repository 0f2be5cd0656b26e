import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from affairs import services
from affairs.models import Mode
from cases import notify
from grids.models import Role


def key() -> str:
    return str(uuid.uuid4())


def upload(name="a.pdf", size=10) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"x" * size, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _memory_sms(settings, tmp_path):
    settings.NOTIFY_CHANNELS = ["memory"]
    settings.MEDIA_ROOT = str(tmp_path)
    notify.OUTBOX.clear()


@pytest.fixture
def item(cast):
    """居住证明 offered and handled by 董庄社区 (C1): an ID card (required) and a lease (required, 1 KB at most)."""
    return services.service_item_create(
        actor=cast.user(Role.COMMUNITY_OFFICIAL), place=cast.place("C1"), unit_place=cast.place("C1"), name="居住证明",
        applicants="本社区居民", time_limit=3, mode=Mode.ONLINE, legal_basis="《居住证暂行条例》",
        materials=[{"name": "身份证", "example": "正反面"}, {"name": "租房合同", "max_kb": 1},
                   {"name": "其他说明", "required": False}])


def materials(item):
    return list(item.materials.order_by("sort_order"))


def files_for(item, **sizes):
    required = [m for m in materials(item) if m.required]
    return {m.pk: upload(size=sizes.get(str(m.pk), 10)) for m in required}


def proof(mobile="13900001111"):
    """Send and verify a code the way a resident does (reading it from the mock SMS)."""
    send(mobile)
    code = sent_code(mobile)
    return services.mobile_code_verify(mobile=mobile, code=code).pk


def send(mobile, ip="10.0.0.1"):
    """Send a code; the SMS goes after the commit (captured here: the test runs in a transaction)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.mobile_code_send(mobile=mobile, client_ip=ip)


def sent_code(mobile):
    import re

    texts = [m for to, m in notify.OUTBOX if to == mobile]
    return re.search(r"(\d{6})", texts[-1]).group(1)


def submit(item, *, mobile="13900001111", k=None, files=None):
    application, token = services.application_submit_public(
        item=item, place=item.place, applicant_name="王女士", mobile=mobile, proof_id=proof(mobile),
        files=files if files is not None else files_for(item), key=k or key(), client_ip="10.0.0.1")
    return application, token
