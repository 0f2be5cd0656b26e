import pytest

from wudu.signals import access_event


@pytest.fixture
def events():
    """The access events sent during the test, as (kind, user, target, detail)."""
    seen = []

    def receive(sender, kind, request, user, target, detail, **kwargs):
        seen.append((kind, user, target, detail))

    access_event.connect(receive, dispatch_uid="tests.identity.events")
    yield seen
    access_event.disconnect(dispatch_uid="tests.identity.events")


def kinds(events) -> list[str]:
    return [event[0] for event in events]
