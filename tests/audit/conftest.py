import pytest
from django.db import connection

postgres_only = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row history and the guards are PostgreSQL triggers"),
]


@pytest.fixture
def auditor(cast):
    """The audit administrator (三权分立: the only one who reads the audit)."""
    return cast.user("audit_admin")
