"""Subject.referral_count (how many referrals name an account) and what reads it: the
platform's `related_count` and the bounded subject page and API (SPEC §12 at a million)."""

from __future__ import annotations

import pytest

from referrals.intake.services.bulk import bulk_job_create, bulk_job_step, parse_csv
from referrals.intake.services.filing import referrals_create
from referrals.intake.services.validation import referral_clean
from referrals.models import Subject, subject_counts_recount
from referrals.review import selectors as queue_selectors
from referrals.selectors import referrals_visible_to
from tests.referrals.factories import make_referral, referral_data
from tests.referrals.intake.test_bulk import csv_bytes, good_row

pytestmark = pytest.mark.django_db


def _count(account: str) -> int:
    return Subject.objects.get(account=account).referral_count


def test_filing_counts_each_referral_once_per_account_it_names(ngo_member):
    make_referral(ngo_member, targets=[{"platform": "x", "account": "hyper"}, {"platform": "x", "account": "amp"}])
    make_referral(
        ngo_member,
        targets=[
            {"url": "https://x.com/hyper/status/1"},
            {"url": "https://x.com/hyper/status/2"},  # the same account twice: one referral
        ],
    )
    assert _count("hyper") == 2
    assert _count("amp") == 1


def test_a_filing_naming_one_account_inserts_or_counts_it_in_place(ngo_member):
    first = make_referral(ngo_member, targets=[{"url": "https://x.com/Solo/status/1"}])
    Subject.objects.filter(account="solo").update(referral_count=41)  # as if named by 40 more

    second = make_referral(ngo_member, targets=[{"url": "https://x.com/solo/status/2"}, {"url": "https://x.com/solo"}])

    subject = Subject.objects.get(account="solo")
    assert subject.referral_count == 42
    assert subject.folded_account == "solo"
    assert {t.subject_id for r in (first, second) for t in r.targets.all()} == {subject.pk}


def test_a_batch_naming_one_account_counts_each_referral_naming_it(ngo_member):
    cleaned = [
        referral_clean(referral_data(targets=targets), kinds_allowed=["notice"]).cleaned
        for targets in (
            [{"url": "https://x.com/shared/status/1"}, {"url": "https://x.com/shared"}],
            [{"url": "https://x.com/shared/status/2"}],
            [{"url": "https://youtu.be/dQw4w9WgXcQ"}],  # no account
        )
    ]

    referrals_create(items=cleaned, organisation=ngo_member.membership.organisation, user=ngo_member)

    assert _count("shared") == 2


def test_bulk_import_adds_to_the_counts(ngo_member):
    make_referral(ngo_member, targets=[{"url": "https://x.com/account1"}])
    items = parse_csv(csv_bytes([good_row(1), good_row(2), good_row(51)]))
    job = bulk_job_create(user=ngo_member, items=items)
    while bulk_job_step(job_id=job.id):
        pass
    assert _count("account1") == 2
    assert _count("account2") == 1
    assert _count("channel1") == 2  # rows 1 and 51


def test_recount_matches_the_targets(ngo_member):
    make_referral(ngo_member, targets=[{"platform": "x", "account": "hyper"}])
    Subject.objects.update(referral_count=7)
    subject_counts_recount()
    assert _count("hyper") == 1


def test_related_count_reads_the_per_account_counts(ngo_member, reviewer):
    """The sum over the referral's accounts of the other referrals naming each: read from
    Subject.referral_count, not by counting every referral naming a hyper account."""
    first = make_referral(
        ngo_member, targets=[{"platform": "x", "account": "hyper"}, {"platform": "x", "account": "a"}]
    )
    make_referral(ngo_member, targets=[{"platform": "x", "account": "hyper"}])
    make_referral(ngo_member, targets=[{"platform": "x", "account": "hyper"}, {"platform": "x", "account": "a"}])

    def related():
        return referrals_visible_to(reviewer).get(pk=first.pk).related_count

    assert related() == 2 + 1  # two others name hyper, one other names a (counted per account)
    Subject.objects.filter(account="hyper").update(referral_count=40_000)
    assert related() == 39_999 + 1


def test_a_referral_naming_no_account_has_no_related_referrals(ngo_member, reviewer):
    referral = make_referral(ngo_member, targets=[{"url": "https://youtu.be/dQw4w9WgXcQ"}])
    assert referrals_visible_to(reviewer).get(pk=referral.pk).related_count == 0


@pytest.fixture
def busy_account(ngo_member, monkeypatch):
    """Lists of two: five referrals name `hyper`, each with its own amplifier."""
    monkeypatch.setattr(queue_selectors, "SUBJECT_LIST_SIZE", 2)
    referrals = [
        make_referral(
            ngo_member, targets=[{"platform": "x", "account": "hyper"}, {"platform": "x", "account": f"amp{i}"}]
        )
        for i in range(5)
    ]
    make_referral(ngo_member, targets=[{"platform": "x", "account": "amp3"}])  # the most named amplifier
    return Subject.objects.get(account="hyper"), referrals


def test_the_subject_api_shows_the_latest_referrals_and_the_first_links_with_totals(busy_account, reviewer, api_for):
    subject, referrals = busy_account
    data = api_for(reviewer).get(f"/api/v1/subjects/{subject.id}/").json()
    assert data["referral_count"] == 5
    assert [r["reference"] for r in data["referrals"]] == [referrals[4].reference, referrals[3].reference]
    assert data["more_referrals"] == f"/api/v1/referrals/?subject={subject.id}"
    assert data["linked_count"] == 5
    first = sorted(Subject.objects.filter(account__startswith="amp"), key=lambda s: s.id)[:2]
    assert [s["id"] for s in data["linked"]] == [str(s.id) for s in first]
    assert [s["referral_count"] for s in data["linked"]] == [s.referral_count for s in first]
    assert {s["status"] for s in data["linked"]} == {"active"}


def test_the_more_link_lists_every_referral_naming_the_account(busy_account, reviewer, api_for):
    subject, referrals = busy_account
    data = api_for(reviewer).get(f"/api/v1/referrals/?subject={subject.id}").json()
    assert {r["id"] for r in data["results"]} == {str(r.id) for r in referrals}


def test_the_subject_page_pages_back_through_older_referrals(busy_account, reviewer, client_for):
    subject, referrals = busy_account
    client = client_for(reviewer)
    page = client.get(f"/subjects/{subject.id}/").content.decode()
    assert referrals[4].reference in page and referrals[2].reference not in page
    assert "5 in all" in page and "5 accounts named together" in page
    assert f"?before={referrals[3].seq}" in page

    older = client.get(f"/subjects/{subject.id}/?before={referrals[3].seq}").content.decode()
    assert referrals[2].reference in older and referrals[1].reference in older
    assert referrals[4].reference not in older
    last = client.get(f"/subjects/{subject.id}/?before={referrals[1].seq}").content.decode()
    assert referrals[0].reference in last and "Older referrals" not in last


def test_a_subject_named_once_has_no_more_link(ngo_member, reviewer, api_for):
    make_referral(ngo_member, targets=[{"platform": "x", "account": "quiet"}])
    data = api_for(reviewer).get(f"/api/v1/subjects/{Subject.objects.get(account='quiet').id}/").json()
    assert data["referral_count"] == 1 and data["more_referrals"] is None
