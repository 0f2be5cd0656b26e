import pytest
from django.db import connection

postgres_only = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row history and the guards are PostgreSQL triggers"),
]


@pytest.fixture
def auditor(cast):
    """The audit administrator (provisionally: whoever wudu.duties says holds the audit duty)."""
    return cast.user("system_admin")
