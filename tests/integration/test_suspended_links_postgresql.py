"""`Subject.suspended_links` on PostgreSQL (SPEC §14, §21): filings linking accounts to one that a
decision suspends at the same instant, and reinstatements, leave every count exact, with no
deadlock (the accounts are locked in key order by both sides)."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from referrals.models import Subject, SubjectLink
from referrals.redress.services import appeal_decide
from referrals.review.services.decisions import referral_decide
from tests.integration.test_races import at_once
from tests.referrals.redress.redress_factories import STATEMENT, appealed
from tests.referrals.review_factories import DECISION, received, routed

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _no_routing_left_behind(transactional_db):
    yield
    from portal.celery import app

    app.control.purge()


def kept() -> dict:
    return {a: n for a, n in Subject.objects.values_list("account", "suspended_links") if n}


def recounted() -> dict:
    return dict(
        Counter(
            SubjectLink.objects.filter(other__suspended_at__isnull=False).values_list("subject__account", flat=True)
        )
    )


def test_filings_racing_a_suspension_leave_exact_counts(routing_table, ngo_member, lead, reviewer):
    assert connection.vendor == "postgresql"
    for n in range(3):
        received(ngo_member, accounts=(f"early{n}", "banned"))
    suspension = routed(ngo_member, accounts=("banned", "partner"))

    def suspend():
        return referral_decide(by=lead, referral=suspension, **DECISION)  # a suspension

    def file(n):
        return lambda: received(ngo_member, accounts=(f"late{n}", "banned", "partner"))

    results = at_once(suspend, *(file(n) for n in range(6)))

    assert not [r for r in results if isinstance(r, Exception)], results
    # The decision suspends both accounts its referral names.
    assert {s.account: s.status for s in Subject.objects.filter(account__in=["banned", "partner"])} == {
        "banned": "suspended",
        "partner": "suspended",
    }
    counts = kept()
    assert counts == recounted()
    assert [counts[f"late{n}"] for n in range(6)] == [2] * 6
    assert (counts["early0"], counts["banned"], counts["partner"]) == (1, 1, 1)

    appeal_decide(by=reviewer, appeal=appealed(suspension, ngo_member), outcome="reversed", statement=STATEMENT)

    assert kept() == {} == recounted()
