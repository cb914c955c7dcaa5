"""The submitter (SPEC §22): beat enrols every restricting decision and, with the database
configured, sends the statements in batches of up to 100, records each one's database id
or the database's errors, tries transient failures again later, and never sends one twice.

The database is a local HTTP server applying its rules (tests/referrals/tdb_server.py).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.errors import NotAllowed, TransitionError
from portal.models import AuditEvent
from referrals.models import Decision, StatementSubmission
from referrals.review.services.statements import (
    LEASE,
    RETRY_FIRST,
    statement_resend,
    statements_claim,
    statements_enrol,
    statements_submit,
)
from referrals.tasks import submit_statements
from tests.referrals.review_factories import decided, decided_many, routed

pytestmark = pytest.mark.django_db
State = StatementSubmission.State


def states() -> dict[str, str]:
    return dict(StatementSubmission.objects.values_list("puid", "state"))


# --- Enrolling -----------------------------------------------------------------------------------


def test_every_restricting_decision_is_enrolled_once(lead, ngo_member, other_ngo_member, tdb_server):
    for _ in range(3):
        routed(other_ngo_member, accounts=("hyper",))
    suspension = decided(lead, ngo_member, accounts=("hyper",))  # closes the three others
    decided(lead, ngo_member, accounts=("fine",), decision={"action": "no_action"})
    assert Decision.objects.count() == 5

    assert statements_enrol() == 1
    assert statements_enrol() == 0
    assert states() == {suspension.reference: State.PENDING}


def test_without_the_database_configured_statements_wait(lead, ngo_member, tdb_server, settings):
    settings.PORTAL_DSA_TDB_URL = settings.PORTAL_DSA_TDB_TOKEN = ""
    decided(lead, ngo_member)

    result = submit_statements()

    assert result == 0
    assert list(states().values()) == [State.PENDING]
    assert tdb_server.posts == []


def test_a_decision_committed_late_is_still_enrolled(lead, ngo_member):
    early = decided(lead, ngo_member, accounts=("early",), now=timezone.now() - timedelta(minutes=30))
    late = decided(lead, ngo_member, accounts=("late",))
    StatementSubmission.objects.create(decision=late.decision, puid=late.reference, decided_at=late.decision.decided_at)

    statements_enrol()

    assert set(states()) == {early.reference, late.reference}


# --- Sending -------------------------------------------------------------------------------------


def test_it_sends_in_batches_of_a_hundred_and_records_each_database_id(lead, ngo_member, tdb):
    referrals = decided_many(lead, ngo_member, 105)

    assert submit_statements() == 105

    assert [len(batch) for batch in tdb.posts] == [100, 5]
    assert tdb.posts[0] == [r.reference for r in referrals[:100]]  # oldest decision first
    for row in StatementSubmission.objects.all():
        assert row.state == State.SENT
        assert row.database_id == tdb.stored[row.puid]["uuid"]
        assert row.sent_at is not None and row.claim is None and not row.in_doubt
    assert AuditEvent.objects.filter(action="statement.submit").count() == 2
    assert submit_statements() == 0
    assert len(tdb.posts) == 2 and tdb.repeats == 0


def test_a_refused_statement_keeps_the_errors_and_the_rest_go(lead, ngo_member, tdb):
    referrals = decided_many(lead, ngo_member, 3)
    refused = referrals[1].reference
    tdb.refuse[refused] = {"content_type_other": ["The content type other field is required when content is other."]}

    result = statements_submit()

    assert (result.sent, result.refused) == (2, 1)
    assert tdb.posts == [[r.reference for r in referrals], [referrals[0].reference, referrals[2].reference]]
    row = StatementSubmission.objects.get(puid=refused)
    assert row.state == State.REFUSED
    assert row.errors == tdb.refuse[refused]
    assert AuditEvent.objects.filter(action="statement.refused", data__puids=[refused]).count() == 1
    assert statements_submit().sent == 0  # refused stays refused until a lead sends it again


def test_a_transient_failure_is_tried_again_later_without_sending_twice(lead, ngo_member, tdb):
    (referral,) = decided_many(lead, ngo_member, 1)
    now = timezone.now()
    tdb.fail_next(503)

    first = statements_submit(now=now)

    row = StatementSubmission.objects.get()
    assert (first.deferred, row.state, row.attempts) == (1, State.PENDING, 1)
    assert row.next_attempt_at == now + timedelta(seconds=RETRY_FIRST)
    assert "503" in row.last_error and row.in_doubt  # a 5xx may have stored it

    assert statements_submit(now=now + timedelta(seconds=30)).sent == 0
    assert statements_submit(now=now + timedelta(seconds=RETRY_FIRST + 1)).sent == 1

    row.refresh_from_db()
    assert row.state == State.SENT and row.database_id == tdb.stored[referral.reference]["uuid"]
    assert tdb.checks == [referral.reference]  # asked before sending again
    assert tdb.repeats == 0


def test_the_delay_grows_with_each_failure(lead, ngo_member, tdb):
    decided_many(lead, ngo_member, 1)
    now = timezone.now()
    tdb.fail_next(500, 500, 500)
    delays = []
    for _ in range(3):
        statements_submit(now=now)
        due = StatementSubmission.objects.get().next_attempt_at
        delays.append((due - now).total_seconds())
        now = due

    assert delays == [RETRY_FIRST, RETRY_FIRST * 2, RETRY_FIRST * 4]
    assert StatementSubmission.objects.get().attempts == 3


def test_an_unreachable_database_is_tried_again_and_nothing_is_in_doubt(lead, ngo_member, tdb_server, settings):
    decided_many(lead, ngo_member, 2)
    tdb_server.stop()
    settings.PORTAL_DSA_TDB_URL, settings.PORTAL_DSA_TDB_TOKEN = tdb_server.url, tdb_server.token

    result = statements_submit()

    assert result.deferred == 2
    for row in StatementSubmission.objects.all():
        assert row.state == State.PENDING and not row.in_doubt
        assert "connect" in row.last_error.lower()


def test_a_wrong_token_is_tried_again_and_shown(lead, ngo_member, tdb, settings):
    decided_many(lead, ngo_member, 1)
    settings.PORTAL_DSA_TDB_TOKEN = "wrong"

    assert statements_submit().deferred == 1
    assert "401" in StatementSubmission.objects.get().last_error


def test_an_answer_that_never_came_is_checked_before_sending_again(lead, ngo_member, tdb, settings):
    (referral,) = decided_many(lead, ngo_member, 1)
    settings.PORTAL_DSA_TDB_TIMEOUT = 1
    tdb.hold.clear()  # stores the batch, then keeps the answer back past the timeout
    now = timezone.now()

    assert statements_submit(now=now).deferred == 1
    tdb.hold.set()
    row = StatementSubmission.objects.get()
    assert row.state == State.PENDING and row.in_doubt

    assert statements_submit(now=row.next_attempt_at).sent == 1

    row.refresh_from_db()
    assert (row.state, row.database_id, row.last_error) == (
        State.SENT,
        "",
        "The database already held a statement with this identifier.",
    )
    assert tdb.sent_times(referral.reference) == 1
    assert tdb.checks == [referral.reference]


def test_a_run_that_died_mid_batch_is_taken_over_after_its_lease(lead, ngo_member, tdb):
    referrals = decided_many(lead, ngo_member, 3)
    statements_enrol()
    now = timezone.now()
    dead = statements_claim(now=now)  # a worker claims the batch, then is killed
    assert len(dead.rows) == 3

    assert statements_submit(now=now + timedelta(minutes=1)).sent == 0  # still its lease
    assert statements_submit(now=now + LEASE + timedelta(seconds=1)).sent == 3

    assert sorted(tdb.checks) == sorted(r.reference for r in referrals)
    assert [len(batch) for batch in tdb.posts] == [3]
    assert set(states().values()) == {State.SENT}


def test_a_statement_the_database_already_holds_is_recorded_not_repeated(lead, ngo_member, tdb):
    referrals = decided_many(lead, ngo_member, 3)
    tdb.stored[referrals[0].reference] = {"uuid": "from-an-earlier-send"}

    assert statements_submit().sent == 3

    assert tdb.posts[1] == [r.reference for r in referrals[1:]]
    first = StatementSubmission.objects.get(puid=referrals[0].reference)
    assert first.state == State.SENT and first.last_error.startswith("The database already held")


def test_two_runs_never_claim_the_same_statement(lead, ngo_member):
    decided_many(lead, ngo_member, 5)
    statements_enrol()
    now = timezone.now()

    one = statements_claim(now=now, limit=3)
    two = statements_claim(now=now, limit=3)
    three = statements_claim(now=now, limit=3)

    assert len(one.rows) == 3 and len(two.rows) == 2 and three.rows == []
    assert not {r.pk for r in one.rows} & {r.pk for r in two.rows}
    assert StatementSubmission.objects.filter(claim=one.token).count() == 3


def test_a_write_back_needs_the_claim(lead, ngo_member, tdb):
    decided_many(lead, ngo_member, 1)
    statements_enrol()
    now = timezone.now()
    stale = statements_claim(now=now)
    fresh = statements_claim(now=now + LEASE + timedelta(seconds=1))  # the lease ran out; taken over

    from referrals.review.services.statements import _record_sent

    _record_sent(stale, {stale.rows[0]: "stale"}, now)

    row = StatementSubmission.objects.get()
    assert row.state == State.SENDING and row.claim == fresh.token and row.database_id == ""


# --- A lead sends a refused statement again ---------------------------------------------------------


def test_a_lead_sends_a_refused_statement_again(lead, reviewer, ngo_member, tdb):
    (referral,) = decided_many(lead, ngo_member, 1)
    tdb.refuse[referral.reference] = {"category": ["The selected category is invalid."]}
    statements_submit()
    row = StatementSubmission.objects.get()
    assert row.state == State.REFUSED

    with pytest.raises(NotAllowed):
        statement_resend(by=reviewer, submission=row)
    statement_resend(by=lead, submission=row)
    with pytest.raises(TransitionError):
        statement_resend(by=lead, submission=row)
    del tdb.refuse[referral.reference]

    assert statements_submit().sent == 1
    assert AuditEvent.objects.filter(action="statement.resend", actor=lead).count() == 1
