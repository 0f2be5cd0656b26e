# The API clients of tests/api serve the ledger's API tests too.
from tests.api.conftest import api, api_as, fresh_throttles, token_client  # noqa: F401
