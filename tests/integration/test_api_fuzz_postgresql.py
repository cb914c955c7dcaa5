"""The schemathesis run and the malformed-input cases of tests/portal/test_api_fuzz.py, on
PostgreSQL: it refuses NUL in text and checks values against column types, where SQLite
stores whatever it is given, so a 500 that SQLite hides shows here."""

import pytest
from django.db import connection

from tests.portal.test_api_fuzz import (  # noqa: F401 - fixtures and tests collected again here
    test_a_malformed_cursor_is_a_404_on_every_list,
    test_a_malformed_json_body_is_a_400_on_every_operation,
    test_a_nul_in_any_query_parameter_is_a_400,
    test_every_path_parameter_names_a_real_object,
    test_no_api_input_causes_a_server_error,
    test_the_fuzzer_calls_authenticate_with_the_tokens,
    tokens,
    world,
    wsgi_in_the_test_transaction,
)

pytestmark = pytest.mark.integration


def test_this_lane_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"
