"""Restrictions that end on their date (SPEC §16): beat lifts each once, on its end date."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from portal.models import AuditEvent
from referrals import tasks
from referrals.models import Decision, Subject, TimelineEvent
from referrals.redress.expiry import ENDED, restriction_lift, restrictions_lift_expired
from referrals.redress.services import appeal_decide
from referrals.selectors import referral_events
from tests.referrals.redress.redress_factories import STATEMENT, appealed, suspended
from tests.referrals.review_factories import decided

pytestmark = pytest.mark.django_db

END = timezone.localdate() + timedelta(days=30)


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def ended(referral):
    return TimelineEvent.objects.filter(referral=referral, type=ENDED)


def restricted(lead, member, account: str, end: date = END, **decision):
    return suspended(lead, member, accounts=(account,), decision={"restriction_end": end, **decision})


def test_a_suspension_is_lifted_on_its_end_date_and_the_account_is_active_again(ngo_member, lead):
    referral = restricted(lead, ngo_member, "for_a_while")
    subject = Subject.objects.get(account="for_a_while")
    assert (subject.status, subject.suspended_by_id) == ("suspended", referral.pk)

    assert restrictions_lift_expired(now=at(END - timedelta(days=1), 23, 59)) == 0
    subject.refresh_from_db()
    assert subject.status == "suspended"
    assert not ended(referral).exists()

    assert restrictions_lift_expired(now=at(END, 0, 5)) == 1

    subject.refresh_from_db()
    assert (subject.status, subject.suspended_at, subject.suspended_by) == ("active", None, None)
    [event] = ended(referral)
    assert event.message == f"Restriction ended on {END:%Y-%m-%d}; the account is active again."
    assert event.actor is None and not event.data.get("platform_only")
    entry = AuditEvent.objects.get(action="restriction.end", object_id=str(referral.pk))
    assert entry.data["reinstated"] == [str(subject)]
    assert AuditEvent.objects.filter(action="subject.reinstate", object_id=str(subject.pk)).count() == 1


def test_a_second_run_lifts_nothing(ngo_member, lead):
    referral = restricted(lead, ngo_member, "for_a_while")
    assert restrictions_lift_expired(now=at(END)) == 1
    events, audits = ended(referral).count(), AuditEvent.objects.filter(action="restriction.end").count()

    assert restrictions_lift_expired(now=at(END, 1)) == 0
    assert restrictions_lift_expired(now=at(END + timedelta(days=40))) == 0
    assert restriction_lift(decision_id=referral.decision.pk, now=at(END, 2)) is False

    assert (events, audits) == (1, 1)
    assert ended(referral).count() == 1
    assert AuditEvent.objects.filter(action="restriction.end").count() == 1


def test_an_account_suspended_again_meanwhile_is_not_reinstated_by_the_earlier_end(ngo_member, liaison, lead):
    first = restricted(lead, ngo_member, "repeat_offender")
    # A removal order always reaches a reviewer, even about a suspended account; it suspends
    # the account without an end while the first suspension holds it.
    order = decided(lead, liaison, "removal_order", accounts=("repeat_offender",))
    subject = Subject.objects.get(account="repeat_offender")
    assert subject.suspended_by_id == first.pk

    assert restrictions_lift_expired(now=at(END)) == 1

    subject.refresh_from_db()
    assert subject.status == "suspended"
    assert subject.suspended_by_id == order.pk  # the indefinite suspension holds it now
    [event] = ended(first)
    # The submitter is told the restriction ended, not about another organisation's referral.
    assert event.message == f"Restriction ended on {END:%Y-%m-%d}."
    partner_view = [e["message"] for e in referral_events(ngo_member, first) if e["type"] == ENDED]
    assert partner_view == [f"Restriction ended on {END:%Y-%m-%d}."]
    platform_view = [e["message"] for e in referral_events(lead, first) if e["type"] == ENDED]
    assert order.reference in platform_view[0] and "stays suspended" in platform_view[0]
    assert not AuditEvent.objects.filter(action="subject.reinstate").exists()


@pytest.mark.parametrize(
    ("action", "line"),
    [("label_applied", "the label is removed"), ("content_restricted", "the content is no longer restricted")],
)
def test_a_label_or_a_restriction_ends_with_its_timeline_entry(ngo_member, lead, action, line):
    referral = restricted(lead, ngo_member, "labelled", action=action)

    assert restrictions_lift_expired(now=at(END)) == 1

    [event] = ended(referral)
    assert event.message == f"Restriction ended on {END:%Y-%m-%d}; {line}."


def test_a_copied_decision_ends_with_the_one_it_was_copied_from(ngo_member, other_ngo_member, lead):
    from tests.referrals.review_factories import routed

    other = routed(other_ngo_member, accounts=("shared_account",))
    source = restricted(lead, ngo_member, "shared_account")  # closes `other` with a copy
    other.refresh_from_db()
    assert other.decision.applied_from_id == source.decision.pk
    assert other.decision.restriction_end == END

    assert restrictions_lift_expired(now=at(END)) == 2

    assert Subject.objects.get(account="shared_account").status == "active"
    assert ended(source).count() == ended(other).count() == 1


def test_a_suspension_reversed_on_appeal_is_not_lifted_again(ngo_member, lead, reviewer):
    referral = restricted(lead, ngo_member, "wrongly_suspended")
    appeal_decide(by=reviewer, appeal=appealed(referral, ngo_member), outcome="reversed", statement=STATEMENT)
    assert Subject.objects.get(account="wrongly_suspended").status == "active"

    assert restrictions_lift_expired(now=at(END)) == 0
    assert not ended(referral).exists()


def test_a_suspension_without_an_end_is_never_lifted(ngo_member, lead):
    referral = suspended(lead, ngo_member, accounts=("for_good",))

    assert restrictions_lift_expired(now=at(END + timedelta(days=3650))) == 0
    assert Subject.objects.get(account="for_good").suspended_by_id == referral.pk


def test_beat_runs_the_job_hourly(ngo_member, lead):
    referral = restricted(lead, ngo_member, "ends_today")
    # Its end has come (a decision may not be given an end that has already passed).
    Decision.objects.filter(pk=referral.decision.pk).update(restriction_end=timezone.localdate())
    entry = settings.CELERY_BEAT_SCHEDULE["referrals-lift-expired-restrictions"]
    assert (entry["task"], entry["schedule"]) == ("referrals.tasks.lift_expired_restrictions", 3600.0)

    assert tasks.lift_expired_restrictions() == 1
    assert tasks.lift_expired_restrictions() == 0
    assert Subject.objects.get(account="ends_today").status == "active"


def test_the_subject_page_says_until_when_the_account_is_restricted(ngo_member, lead, reviewer, client_for):
    restricted(lead, ngo_member, "for_a_while")
    subject = Subject.objects.get(account="for_a_while")
    client = client_for(reviewer)

    page = client.get(f"/subjects/{subject.pk}/").content.decode()
    assert "Restricted until" in page
    assert f'<time datetime="{END:%Y-%m-%d}">{END:%-d %b %Y}</time>' in page

    restrictions_lift_expired(now=at(END))
    page = client.get(f"/subjects/{subject.pk}/").content.decode()
    assert "Restricted until" not in page


def test_the_subject_page_says_nothing_of_an_end_for_a_suspension_without_one(ngo_member, lead, reviewer, client_for):
    suspended(lead, ngo_member, accounts=("for_good",))
    subject = Subject.objects.get(account="for_good")

    page = client_for(reviewer).get(f"/subjects/{subject.pk}/").content.decode()
    assert "suspended" in page and "Restricted until" not in page
