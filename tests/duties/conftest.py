import pytest

from wudu.signals import access_event


@pytest.fixture
def events():
    """The access events sent during the test (a receiver connected as the audit app connects its own)."""
    sent = []

    def receive(sender, **kwargs):
        if kwargs["kind"] not in ("login", "logout"):  # signing the test's people in is not what these tests read
            sent.append(kwargs)

    access_event.connect(receive, weak=False, dispatch_uid="tests.duties.events")
    yield sent
    access_event.disconnect(dispatch_uid="tests.duties.events")


def of_kind(events, kind):
    return [event for event in events if event["kind"] == kind]
