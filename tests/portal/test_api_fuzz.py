"""No 500 from malformed input: schemathesis generates requests from the OpenAPI schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from partners.services import api_token_issue
from portal.wsgi import application

# Fetching the schema touches no database: it is public and anonymous.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.fixture
def tokens(ngo_member, lead, policy):
    return {user: api_token_issue(user=user, name="fuzz")[1] for user in (ngo_member, lead, policy)}


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
def test_no_api_input_causes_a_server_error(case, tokens, routing_table):
    for token in tokens.values():
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}"


def test_the_fuzzer_calls_authenticate_with_the_tokens(tokens):
    """Guards the test above: had its calls been refused at the door, it would prove nothing."""
    operation = schema["/api/v1/me/"]["GET"]
    for user, token in tokens.items():
        response = operation.Case().call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert response.json()["email"] == user.email
