"""No 500 from malformed input (SPEC §12): schemathesis generates requests from the OpenAPI
schema, and every operation it lists also gets the inputs that once broke the server: a
cursor whose position is not a value, JSON nested 10,000 deep, a lone surrogate and a NUL.

tests/integration/test_api_fuzz_postgresql.py runs the same tests on PostgreSQL, which
refuses NUL and checks types where SQLite lets them through.
"""

import base64
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from campaigns import services as campaign_services
from partners.services import api_token_issue
from portal.accounts.roles import requires_mfa
from portal.wsgi import application
from tests.campaigns.conftest import make_campaign
from tests.factories import enrol_totp, has_totp
from tests.referrals.review_factories import claimed

# Fetching the schema touches no database: it is public and anonymous.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
OPERATIONS = [result.ok() for result in schema.get_all_operations()]
WITH_BODY = [op for op in OPERATIONS if op.body and any("json" in b.media_type for b in op.body)]
WITH_CURSOR = [op for op in OPERATIONS if any(p.name == "cursor" for p in op.query)]

BAD_CURSOR = base64.b64encode(b"p=2026-12-01").decode()
MALFORMED_BODIES = {
    "nested-10000-deep": "[" * 10_000 + "]" * 10_000,
    "lone-surrogate": '{"title": "a \\ud800 b", "body": "x", "explanation": "\\udfff"}',
    "lone-surrogate-key": '{"\\ud800": "x"}',
    "nul": '{"title": "a \\u0000 b", "body": "\\u0000", "items": [{"explanation": "\\u0000"}]}',
}


def _name(operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


@pytest.fixture
def wsgi_in_the_test_transaction():
    """Schemathesis calls the real WSGI application, whose request signals close the database
    connection; Django's test client keeps it open for the test's transaction, so do the same
    (SQLite's in-memory database ignores the close; PostgreSQL's connection would be lost)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(ngo_member, ngo_admin, lead, policy):
    for user in (lead, policy):
        if requires_mfa(user) and not has_totp(user):
            enrol_totp(user)
    return {user: api_token_issue(user=user, name="fuzz")[1] for user in (ngo_member, ngo_admin, lead, policy)}


@pytest.fixture
def world(routing_table, ngo, ngo_member, ngo_admin, lead, policy):
    """One real object behind every path parameter, so requests get past the 404 to the body."""
    referral = claimed(lead, ngo_member)
    campaign = make_campaign(policy)
    partner = campaign_services.partner_invite(by=policy, campaign=campaign, organisation=ngo, role="lead")
    campaign_services.partner_accept(by=ngo_member, partner=partner)
    item = campaign_services.content_item_create(
        by=ngo_member, campaign=campaign, title="A story", body="Told in full.", channel="instagram", language="en"
    )
    from tests.training.conftest import in_days
    from training.services import event_create

    event = event_create(
        by=policy,
        title="Fuzzing",
        format="webinar",
        topics=[],
        starts_at=in_days(5),
        ends_at=in_days(5, hour=11),
        timezone="UTC",
        online_url="https://meet.example.org/fuzz",
        audience=["ngo", "platform"],
    )
    from referrals.review.services.templates import template_create

    template = template_create(
        by=lead,
        name="Fuzz",
        action="account_suspended",
        ground="terms",
        policy="Violent extremist organisations policy",
        statement_of_reasons="The account {account} recruits for a proscribed organisation.",
    )
    from referrals.redress.services import appeal_file
    from tests.referrals.review_factories import decided

    appeal = appeal_file(
        by=ngo_member, referral=decided(lead, ngo_member, accounts=("appealed",)), reason="A decision to fuzz against."
    )
    from referrals.law_enforcement.services.outbound import outbound_notice_create
    from tests.factories import OrganisationFactory

    OrganisationFactory(slug="fuzz-police", kind="law_enforcement", email_domains=["fuzz-police.test"])
    notice = outbound_notice_create(
        by=lead,
        agency_slug="fuzz-police",
        summary="A threat to fuzz against, long enough.",
        targets=[{"url": "https://x.com/a"}],
    )
    from referrals.crisis.services.incidents import incident_declare

    incident = incident_declare(
        by=policy,
        title="Fuzz incident",
        summary="An incident to fuzz against, long enough.",
        level=2,
        keywords=["fuzz"],
    )
    from partners.webhooks.services import webhook_create, webhook_event_emit

    webhook, _secret = webhook_create(by=ngo_admin, url="http://127.0.0.1:9/fuzz", events=["referral.decided"])
    webhook_event_emit(organisation_id=ngo.pk, type="referral.decided", data={})
    return {
        "webhook_id": str(webhook.id),
        "delivery_id": str(webhook.deliveries.get().id),
        "incidents": incident.slug,
        "outbound-notices": str(notice.id),
        "appeals": str(appeal.pk),
        "templates": str(template.id),
        "referrals": str(referral.id),
        "subjects": str(referral.targets.first().subject_id),
        "jobs": str(uuid.uuid4()),
        "campaigns": campaign.slug,
        "events": event.slug,
        "queues": referral.queue.slug,
        "item_id": str(item.id),
        "action": "submit",
        "org_slug": ngo.slug,
        "answer": "accept",
        "evidence_id": str(uuid.uuid4()),
    }


def path_of(operation, world) -> str:
    collection = operation.path.split("/")[3]
    values = {name: value for name, value in world.items() if "_" in name or name in ("action", "answer")}
    values.update(id=world.get(collection, ""), slug=world.get(collection, ""))
    return operation.path.format(**values)


def _call(api_client, operation, world, token: str, **kwargs):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api_client.generic(operation.method.upper(), path_of(operation, world), **kwargs)


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
def test_no_api_input_causes_a_server_error(case, tokens, routing_table, wsgi_in_the_test_transaction):
    for token in tokens.values():
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}"


@pytest.mark.parametrize("operation", WITH_BODY, ids=_name)
@pytest.mark.parametrize("body", MALFORMED_BODIES.values(), ids=MALFORMED_BODIES.keys())
def test_a_malformed_json_body_is_a_400_on_every_operation(anon_api, tokens, world, operation, body):
    answers = [
        _call(anon_api, operation, world, token, data=body, content_type="application/json")
        for token in tokens.values()
    ]
    assert all(a.status_code < 500 for a in answers), [a.status_code for a in answers]
    # Whoever may use the operation reads the body, and is refused with a message.
    refused = [a for a in answers if a.status_code == 400]
    assert refused, [(a.status_code, a.content[:200]) for a in answers]
    assert all(a.json() for a in refused)


@pytest.mark.parametrize("operation", WITH_CURSOR, ids=_name)
def test_a_malformed_cursor_is_a_404_on_every_list(anon_api, tokens, world, operation):
    answers = [
        _call(anon_api, operation, world, token, QUERY_STRING=f"cursor={BAD_CURSOR}") for token in tokens.values()
    ]
    assert all(a.status_code < 500 for a in answers), [a.status_code for a in answers]
    assert {"detail": "Invalid cursor"} in [a.json() for a in answers if a.status_code == 404]


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op.query], ids=_name)
def test_a_nul_in_any_query_parameter_is_a_400(anon_api, tokens, world, operation):
    query = "&".join(f"{p.name}=%00" for p in operation.query)
    for token in tokens.values():
        answer = _call(anon_api, operation, world, token, QUERY_STRING=query)
        assert answer.status_code == 400
        assert "NUL" in answer.json()["detail"]


def test_the_fuzzer_calls_authenticate_with_the_tokens(tokens, wsgi_in_the_test_transaction):
    """Guards the tests above: had their calls been refused at the door, they would prove nothing."""
    operation = schema["/api/v1/me/"]["GET"]
    for user, token in tokens.items():
        response = operation.Case().call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert response.json()["email"] == user.email


def test_every_path_parameter_names_a_real_object(anon_api, tokens, world):
    """Guards the world: every GET with path parameters finds its object for someone."""
    for operation in OPERATIONS:
        if operation.method.upper() != "GET" or not operation.path_parameters:
            continue
        # No such evidence or job; feedback and statements exist only once a decision does;
        # productions only on a law-enforcement request.
        if any(
            part in operation.path
            for part in ("{evidence_id}", "/jobs/", "/feedback/", "/statement-of-", "/productions/")
        ):
            continue
        codes = [_call(anon_api, operation, world, token).status_code for token in tokens.values()]
        assert 200 in codes, (_name(operation), codes)
