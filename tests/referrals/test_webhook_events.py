"""Webhook events from what happens to partners' referrals (SPEC §19): each event reaches the
subscribed, active webhooks of the organisation it concerns and nobody else's; its `data` is
what that organisation reads through the API, never a reviewer's identity, platform fields or
another organisation's data; and an organisation with no webhook pays one query per event."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from partners.models import OrganisationKind, Role, Webhook, WebhookDelivery, WebhookEvent
from referrals.crisis.services.bulletins import bulletin_post
from referrals.intake.api.serializers import PLATFORM_FIELDS
from referrals.intake.services.filing import referral_withdraw
from referrals.law_enforcement.services.productions import production_add
from referrals.models import Referral, Status
from referrals.redress.services import appeal_decide
from referrals.review.services.claims import referral_claim, referral_release, referral_request_info
from referrals.review.services.decisions import referral_decide
from referrals.review.services.routing import referral_route_batch
from referrals.services.messages import message_post
from tests.factories import OrganisationFactory, make_member
from tests.referrals.crisis.factories import incident
from tests.referrals.evidence_files import upload
from tests.referrals.redress.redress_factories import STATEMENT, appealed, complained, suspended
from tests.referrals.review_factories import DECISION, claimed, received, routed

pytestmark = pytest.mark.django_db

ALL = list(WebhookEvent.values)
QUESTION = "Which of the account's posts do you mean, and when did you see them?"
BULLETIN = "Report any copy of the attacker's livestream or manifesto, with the URL where you saw it."


def hook(organisation, events=ALL, *, active=True) -> Webhook:
    return Webhook.objects.create(
        organisation=organisation, url="https://127.0.0.1:9/hook", events=list(events), active=active, secret="s" * 40
    )


def sent(webhook: Webhook, type: str | None = None) -> list[dict]:
    """The payloads queued for `webhook` (of `type`), oldest first."""
    rows = WebhookDelivery.objects.filter(webhook=webhook).order_by("created_at", "pk")
    if type is not None:
        rows = rows.filter(type=type)
    return [d.payload for d in rows]


def assert_no_platform_identity(payload: dict, *staff) -> None:
    text = json.dumps(payload)
    for user in staff:
        assert user.email not in text
        assert f'"{user.pk}"' not in text
        if user.display_name:
            assert user.display_name not in text


@pytest.fixture
def hooks(ngo, other_ngo):
    """The NGO's webhook for everything, one for bulletins only, an inactive one, and another
    NGO's webhook for everything."""
    return {
        "all": hook(ngo),
        "bulletins": hook(ngo, [WebhookEvent.INCIDENT_BULLETIN]),
        "inactive": hook(ngo, active=False),
        "other": hook(other_ngo),
    }


# --- referral.status_changed -----------------------------------------------------------------


def test_a_status_change_reaches_the_submitters_subscribed_active_webhooks_only(ngo_member, reviewer, hooks):
    referral = routed(ngo_member)
    assert WebhookDelivery.objects.count() == 0

    referral.queue.members.add(reviewer)
    referral_claim(by=reviewer, referral=referral)

    [payload] = sent(hooks["all"])
    assert payload["type"] == "referral.status_changed"
    assert payload["id"] == str(WebhookDelivery.objects.get().pk)
    assert payload["data"]["id"] == str(referral.id) and payload["data"]["status"] == Status.IN_REVIEW
    assert sent(hooks["bulletins"]) == sent(hooks["inactive"]) == sent(hooks["other"]) == []


def test_the_status_payload_is_the_referral_as_its_submitter_reads_it(ngo_member, reviewer, hooks, api_for):
    referral = claimed(reviewer, ngo_member)

    [payload] = sent(hooks["all"])
    data = payload["data"]
    for name in PLATFORM_FIELDS:
        assert name not in data
    assert_no_platform_identity(payload, reviewer)
    read = api_for(ngo_member).get(f"/api/v1/referrals/{referral.id}/").json()
    assert data == json.loads(json.dumps(read))


def test_routing_is_the_platforms_own_step_and_sends_nothing(ngo_member, hooks):
    referral = received(ngo_member)

    referral_route_batch(seqs=[referral.seq])

    assert Referral.objects.get(pk=referral.pk).status == Status.ROUTED
    assert WebhookDelivery.objects.count() == 0


def test_a_withdrawal_and_a_release_are_status_changes_too(ngo_member, reviewer, hooks):
    referral = claimed(reviewer, ngo_member)
    referral_release(by=reviewer, referral=referral)
    referral_withdraw(referral=referral, user=ngo_member)

    statuses = [p["data"]["status"] for p in sent(hooks["all"], WebhookEvent.REFERRAL_STATUS_CHANGED)]
    assert statuses == [Status.IN_REVIEW, Status.ROUTED, Status.WITHDRAWN]


def test_a_rolled_back_change_sends_nothing(ngo_member, reviewer, hooks):
    referral = routed(ngo_member)
    referral.queue.members.add(reviewer)

    with pytest.raises(RuntimeError), transaction.atomic():
        referral_claim(by=reviewer, referral=referral)
        raise RuntimeError

    assert WebhookDelivery.objects.count() == 0


# --- referral.decided ------------------------------------------------------------------------


def test_a_decision_reaches_the_submitter_with_the_decision_and_no_reviewer(ngo_member, lead, hooks):
    referral = routed(ngo_member)

    referral_decide(by=lead, referral=referral, **DECISION)

    [payload] = sent(hooks["all"], WebhookEvent.REFERRAL_DECIDED)
    data = payload["data"]
    assert data["status"] == Status.ACTIONED
    assert data["decision"]["action"] == "account_suspended"
    assert data["decision"]["statement_of_reasons"] == DECISION["statement_of_reasons"]
    assert "decided_by" not in data["decision"]
    assert_no_platform_identity(payload, lead)
    assert [p["type"] for p in sent(hooks["all"])] == ["referral.status_changed", "referral.decided"]
    assert sent(hooks["other"]) == []


def test_another_organisations_referral_closed_by_the_decision_gets_its_neutral_statement_only(
    ngo_member, other_ngo_member, lead, hooks
):
    mine = routed(ngo_member, accounts=("recruiter",))
    theirs = routed(other_ngo_member, accounts=("recruiter",))

    referral_decide(by=lead, referral=mine, apply_to_subject=True, **DECISION)

    [own] = sent(hooks["all"], WebhookEvent.REFERRAL_DECIDED)
    [other] = sent(hooks["other"], WebhookEvent.REFERRAL_DECIDED)
    assert own["data"]["id"] == str(mine.id)
    assert other["data"]["id"] == str(theirs.id) and other["data"]["status"] == Status.ACTIONED
    text = json.dumps(other)
    assert DECISION["statement_of_reasons"] not in text and DECISION["policy"] not in text
    assert mine.reference not in text and str(mine.id) not in text
    assert_no_platform_identity(other, lead)


# --- message.created ---------------------------------------------------------------------------


def test_the_platforms_message_reaches_the_submitter_as_from_platform(ngo_member, reviewer, hooks):
    referral = claimed(reviewer, ngo_member)

    message_post(by=reviewer, referral=referral, body="We are looking at the account's recent posts now.")

    [payload] = sent(hooks["all"], WebhookEvent.MESSAGE_CREATED)
    data = payload["data"]
    assert set(data) == {"referral", "reference", "at", "from", "body"}
    assert data["referral"] == str(referral.id) and data["reference"] == referral.reference
    assert data["from"] == "platform" and data["body"] == "We are looking at the account's recent posts now."
    assert_no_platform_identity(payload, reviewer)
    assert sent(hooks["other"]) == []


def test_the_submitters_own_message_and_answer_are_sent_for_its_own_log(ngo_member, reviewer, hooks):
    referral = claimed(reviewer, ngo_member)
    referral_request_info(by=reviewer, referral=referral, message=QUESTION)

    message_post(by=ngo_member, referral=referral, body="The posts of 3 and 4 May, both still online.")

    messages = [p["data"] for p in sent(hooks["all"], WebhookEvent.MESSAGE_CREATED)]
    assert [(m["from"], m["body"]) for m in messages] == [
        ("platform", QUESTION),
        ("submitter", "The posts of 3 and 4 May, both still online."),
    ]
    statuses = [p["data"]["status"] for p in sent(hooks["all"], WebhookEvent.REFERRAL_STATUS_CHANGED)]
    assert statuses == [Status.IN_REVIEW, Status.NEEDS_INFO, Status.ROUTED]


# --- appeal.decided ----------------------------------------------------------------------------


def test_an_appeal_decided_reaches_the_appellant_as_the_appeals_api_shows_it(ngo_member, lead, reviewer, hooks):
    appeal = appealed(suspended(lead, ngo_member), ngo_member)

    appeal_decide(by=reviewer, appeal=appeal, outcome="upheld", statement=STATEMENT)

    [payload] = sent(hooks["all"], WebhookEvent.APPEAL_DECIDED)
    data = payload["data"]
    assert data["id"] == str(appeal.id) and data["referral"] == str(appeal.referral.id)
    assert data["status"] == "decided" and data["outcome"] == "upheld" and data["statement"] == STATEMENT
    assert data["decided_at"]
    for name in ("decided_by", "filed_by", "recorded_by", "original_decided_by", "queue", "reference"):
        assert name not in data
    assert_no_platform_identity(payload, lead, reviewer)
    assert sent(hooks["other"]) == []


def test_a_complaint_of_the_account_holder_never_reaches_a_partner(ngo_member, lead, reviewer, hooks):
    complaint = complained(suspended(lead, ngo_member), lead)
    before = WebhookDelivery.objects.count()

    appeal_decide(by=reviewer, appeal=complaint, outcome="upheld", statement=STATEMENT)

    assert WebhookDelivery.objects.filter(type=WebhookEvent.APPEAL_DECIDED).count() == 0
    assert WebhookDelivery.objects.count() == before


# --- production.ready --------------------------------------------------------------------------


def test_a_production_reaches_the_requesting_agency(liaison, reviewer, agency, hooks):
    agency_hook = hook(agency, [WebhookEvent.PRODUCTION_READY])
    request = claimed(reviewer, liaison, "le_referral")

    production = production_add(
        by=reviewer, referral=request, upload=upload("subscriber.csv", b"account,ip\nsomeone,192.0.2.10\n")
    )

    [payload] = sent(agency_hook)
    data = payload["data"]
    assert payload["type"] == "production.ready"
    assert set(data) == {"referral", "id", "name", "size", "sha256", "available_until"}
    assert data["referral"] == str(request.id) and data["id"] == str(production.id)
    assert data["sha256"] == production.sha256 and data["size"] == production.size
    assert_no_platform_identity(payload, reviewer)
    assert sent(hooks["all"], WebhookEvent.PRODUCTION_READY) == []


# --- incident.bulletin -------------------------------------------------------------------------


def test_a_bulletin_reaches_each_verified_partner_listening_once(lead, agency, unverified_agency, platform, hooks):
    agency_hook = hook(agency, [WebhookEvent.INCIDENT_BULLETIN])
    unverified = hook(unverified_agency)
    own = hook(platform)
    live = incident(title="Riverside attack", keywords=["manifesto"])

    bulletin_post(by=lead, incident=live, body=BULLETIN)

    expected = {"incident": live.slug, "title": "Riverside attack", "body": BULLETIN}
    for webhook in (hooks["all"], hooks["bulletins"], hooks["other"], agency_hook):
        [payload] = sent(webhook)
        assert payload["type"] == "incident.bulletin"
        assert {k: payload["data"][k] for k in expected} == expected
        assert set(payload["data"]) == {"incident", "title", "body", "posted_at"}
    assert sent(unverified) == sent(own) == sent(hooks["inactive"]) == []
    assert_no_platform_identity(sent(agency_hook)[0], lead)


def test_a_bulletin_finds_its_listeners_in_one_query_however_many_partners(lead, ngo, hooks):
    live = incident(title="Riverside attack", keywords=["manifesto"])
    for n in range(5):
        OrganisationFactory(kind=OrganisationKind.NGO, slug=f"quiet-{n}")
    make_member(ngo, Role.NGO_MEMBER)

    with CaptureQueriesContext(connection) as captured:
        bulletin_post(by=lead, incident=live, body=BULLETIN)

    reads = [q["sql"] for q in captured if q["sql"].startswith("SELECT") and "partners_webhook" in q["sql"]]
    # The listeners (one query), then for each of the two organisations listening its webhooks.
    assert len(reads) == 3


# --- Cost --------------------------------------------------------------------------------------


def _release_queries(reviewer, referral) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        referral_release(by=reviewer, referral=referral)
    return [q["sql"] for q in captured]


def test_an_organisation_without_webhooks_pays_one_query_per_event(ngo_member, reviewer, other_ngo):
    hook(other_ngo)  # someone else's webhooks are not read
    referral = claimed(reviewer, ngo_member)

    queries = _release_queries(reviewer, referral)

    assert len([q for q in queries if "partners_webhook" in q]) == 1
    assert not any("referrals_target" in q or "referrals_evidence" in q for q in queries)  # nothing serialised
    assert WebhookDelivery.objects.count() == 0


def test_a_webhook_not_subscribed_to_the_event_costs_the_same_as_none(ngo, ngo_member, reviewer):
    quiet = claimed(reviewer, ngo_member, accounts=("quiet",))
    without = len(_release_queries(reviewer, quiet))

    hook(ngo, [WebhookEvent.INCIDENT_BULLETIN])
    referral = claimed(reviewer, ngo_member, accounts=("other",))
    with_unsubscribed = len(_release_queries(reviewer, referral))

    assert with_unsubscribed == without
    assert WebhookDelivery.objects.count() == 0


def test_a_release_runs_a_pinned_number_of_queries_without_webhooks(ngo_member, reviewer, django_assert_num_queries):
    referral = claimed(reviewer, ngo_member)

    # SAVEPOINT, the referral locked, its update, the timeline entry, the audit entry, the
    # submitter's members, the notifications (one insert), the organisation's webhooks (the
    # one query the event costs), RELEASE SAVEPOINT.
    with django_assert_num_queries(9):
        referral_release(by=reviewer, referral=referral)


def test_a_signal_has_no_submitter_and_sends_nothing_nor_reads_webhooks(reviewer, lead, platform):
    hook(platform)  # the platform's own organisation is never a webhook's audience
    signal = claimed(reviewer, reviewer, "signal")

    with CaptureQueriesContext(connection) as captured:
        referral_decide(by=lead, referral=signal, **DECISION)

    assert WebhookDelivery.objects.count() == 0
    assert not any("partners_webhook" in q["sql"] for q in captured)
