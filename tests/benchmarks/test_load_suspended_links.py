"""The load generator and the benchmark's clean-up keep `Subject.suspended_links` as intake,
decisions and reinstatements do (SPEC §14): the counts equal a count from the links."""

from collections import Counter

import pytest

from benchmarks import load
from benchmarks.cast import reset_referrals_of
from referrals.models import Subject, SubjectLink
from tests.referrals.review_factories import decided, received


def kept() -> dict:
    return {pk: n for pk, n in Subject.objects.values_list("pk", "suspended_links") if n}


def recounted() -> dict:
    return dict(
        Counter(SubjectLink.objects.filter(other__suspended_at__isnull=False).values_list("subject", flat=True))
    )


@pytest.fixture
def generated(routing_table):
    load.Generator(referrals=400, seed=3, batch=150, log=lambda line: None).run()


def test_generated_accounts_count_their_suspended_links(generated):
    counts = kept()

    # Accounts suspended within a batch (linked as the batch's links are written) and pooled
    # accounts suspended at the end (after every link) both occur.
    assert sum(counts.values()) > 10
    assert counts == recounted()


def test_a_second_generation_beside_the_first_keeps_them_exact(generated):
    load.Generator(referrals=150, seed=4, log=lambda line: None).run()

    assert kept() == recounted()


@pytest.mark.django_db
def test_deleting_a_suspended_orphan_takes_it_off_its_linked_accounts(ngo_member, other_ngo_member, lead):
    received(ngo_member, accounts=("keep",))  # still named once the other organisation's referrals go
    decided(lead, other_ngo_member, accounts=("gone_1",))
    received(other_ngo_member, accounts=("keep", "gone_1"))
    assert Subject.objects.get(account="keep").suspended_links == 1

    reset_referrals_of([other_ngo_member.membership.organisation], account_prefix="gone_")

    assert not Subject.objects.filter(account="gone_1").exists()
    assert Subject.objects.get(account="keep").suspended_links == 0
    assert kept() == recounted()
