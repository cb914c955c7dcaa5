"""`Subject.suspended_links` (SPEC §14, §21): how many suspended accounts are linked to an
account, kept exact by the writes that change it (a filing adding links, a decision suspending
accounts, a reversal or an ended restriction reinstating them), so a hub's suspended
neighbours are read with the account, never counted over its links.

Every state is built through the services people use; each test compares the kept counts with
a count from the links themselves (`recounted`).
"""

import importlib
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from referrals.models import Subject, SubjectLink
from referrals.models.surfacing import subject_suspended_links_recount
from referrals.redress.expiry import restrictions_lift_expired
from referrals.redress.services import appeal_decide
from referrals.surfacing.selectors import hub_figures, hubs
from tests.referrals.redress.redress_factories import STATEMENT, appealed, suspended
from tests.referrals.review_factories import decided, received

pytestmark = pytest.mark.django_db


def kept() -> dict:
    return {a: n for a, n in Subject.objects.values_list("account", "suspended_links") if n}


def recounted() -> dict:
    """account → suspended accounts linked to it, counted from the links."""
    return dict(
        Counter(
            SubjectLink.objects.filter(other__suspended_at__isnull=False).values_list("subject__account", flat=True)
        )
    )


def subject(account: str) -> Subject:
    return Subject.objects.get(platform="x", account=account)


# --- Links added by a filing -----------------------------------------------------------------------


def test_a_filing_linking_an_account_to_a_suspended_one_counts_it_once(ngo_member, lead):
    suspended(lead, ngo_member, accounts=("banned",))
    assert kept() == {}

    received(ngo_member, accounts=("fan", "banned"))
    assert kept() == {"fan": 1}

    received(ngo_member, accounts=("fan", "banned"))  # the same link, heavier: not a second account
    received(ngo_member, accounts=("other", "banned", "fan"))
    assert kept() == {"fan": 1, "other": 1} == recounted()


def test_a_filing_naming_two_suspended_accounts_counts_both_once(ngo_member, lead):
    suspended(lead, ngo_member, accounts=("banned", "banned_too"))  # linked to each other
    assert kept() == {"banned": 1, "banned_too": 1}

    for _ in range(2):
        received(ngo_member, accounts=("fan", "banned", "banned_too", "friend"))

    assert kept() == {"banned": 1, "banned_too": 1, "fan": 2, "friend": 2} == recounted()


# --- Accounts suspended by a decision ------------------------------------------------------------


def test_suspending_an_account_counts_it_for_every_account_linked_to_it(ngo_member, lead):
    received(ngo_member, accounts=("hub", "x"))
    received(ngo_member, accounts=("hub", "y"))
    received(ngo_member, accounts=("x", "y"))
    received(ngo_member, accounts=("loner",))
    assert kept() == {}

    decided(lead, ngo_member, accounts=("x",))

    assert kept() == {"hub": 1, "y": 1} == recounted()


def test_suspending_accounts_together_counts_each_for_the_other(ngo_member, lead):
    received(ngo_member, accounts=("hub", "x"))

    decided(lead, ngo_member, accounts=("x", "y"))  # also links x and y

    assert kept() == {"hub": 1, "x": 1, "y": 1} == recounted()


def test_an_account_already_suspended_is_not_counted_again(ngo_member, liaison, lead):
    received(ngo_member, accounts=("hub", "x"))
    decided(lead, ngo_member, accounts=("x",))

    decided(lead, liaison, "removal_order", accounts=("x",))  # a second suspension of x
    decided(lead, ngo_member, accounts=("x", "hub"))  # hub suspended now; x still suspended

    assert kept() == {"hub": 1, "x": 1} == recounted()


# --- Accounts reinstated -------------------------------------------------------------------------


def test_a_suspension_reversed_on_appeal_is_no_longer_counted(ngo_member, lead, reviewer):
    received(ngo_member, accounts=("hub", "x"))
    referral = suspended(lead, ngo_member, accounts=("x",))
    assert kept() == {"hub": 1}

    appeal_decide(by=reviewer, appeal=appealed(referral, ngo_member), outcome="reversed", statement=STATEMENT)

    assert subject("x").status == "active"
    assert kept() == {} == recounted()


def test_an_ended_restriction_is_no_longer_counted_unless_another_decision_keeps_it(ngo_member, liaison, lead):
    end = timezone.localdate() + timedelta(days=30)
    received(ngo_member, accounts=("hub", "x", "kept"))
    suspended(lead, ngo_member, accounts=("x",), decision={"restriction_end": end})
    suspended(lead, ngo_member, accounts=("kept",), decision={"restriction_end": end})
    decided(lead, liaison, "removal_order", accounts=("kept",))  # suspends it without an end
    assert kept() == {"hub": 2, "x": 1, "kept": 1}

    assert restrictions_lift_expired(now=timezone.now() + timedelta(days=31)) > 0

    assert (subject("x").status, subject("kept").status) == ("active", "suspended")
    assert kept() == {"hub": 1, "x": 1} == recounted()


def test_a_recount_finds_nothing_to_change(ngo_member, lead, reviewer):
    received(ngo_member, accounts=("hub", "a", "b"))
    referral = suspended(lead, ngo_member, accounts=("a",))
    received(ngo_member, accounts=("b", "a", "c"))
    appeal_decide(by=reviewer, appeal=appealed(referral, ngo_member), outcome="reversed", statement=STATEMENT)
    decided(lead, ngo_member, accounts=("c",))
    before = kept()

    subject_suspended_links_recount()

    assert kept() == before == recounted() == {"a": 1, "b": 1}


def test_a_recount_repairs_counts_a_raw_write_left_wrong(ngo_member, lead):
    received(ngo_member, accounts=("hub", "x"))
    decided(lead, ngo_member, accounts=("x",))
    Subject.objects.filter(account="hub").update(suspended_links=7)
    Subject.objects.filter(account="loner").update(suspended_links=3)

    subject_suspended_links_recount()

    assert kept() == {"hub": 1} == recounted()


def test_the_migration_counts_what_was_stored_before_it(ngo_member, lead):
    received(ngo_member, accounts=("hub", "x", "y"))
    decided(lead, ngo_member, accounts=("x",))
    decided(lead, ngo_member, accounts=("lone_banned",))
    Subject.objects.update(suspended_links=0)  # as the column's default leaves every account
    migration = importlib.import_module("referrals.migrations.0016_subject_suspended_links")

    migration.count(apps, SimpleNamespace(connection=connection, execute=connection.cursor().execute))

    assert kept() == {"hub": 1, "y": 1} == recounted()


# --- Reading them costs nothing per link ---------------------------------------------------------


def test_a_hubs_suspended_neighbours_cost_no_query_however_many(django_assert_num_queries, reviewer, ngo_member, lead):
    received(ngo_member, accounts=("small", "s0"))
    received(ngo_member, accounts=("big", *[f"s{n}" for n in range(1, 41)]))
    received(ngo_member, accounts=("small", "big"))
    decided(lead, ngo_member, accounts=tuple(f"s{n}" for n in range(41)))

    for account, expected in (("small", 1), ("big", 40)):
        s = subject(account)
        # 1 the window's first referral; 2 the account's figures in it.
        with django_assert_num_queries(2):
            assert hub_figures(reviewer, s).suspended_neighbours == expected
    # 1 the window's first referral; 2 the ranking; 3 the accounts; 4 their figures.
    with django_assert_num_queries(4):
        found = {h.subject.account: h.suspended_neighbours for h in hubs(reviewer)}
    assert found == {"small": 1, "big": 40}
