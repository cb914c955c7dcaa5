"""Preservation holds: created by the decision, kept by retention, reminded, released, renewed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.errors import DomainError, NotAllowed, TransitionError
from portal.models import AuditEvent, Notification
from referrals.intake.services.evidence import evidence_inspect_all, evidence_path, evidence_purge_expired
from referrals.law_enforcement.services.preservation import (
    preservation_release_expired,
    preservation_remind_expiring,
    preservation_renew,
)
from referrals.models import Evidence, PreservationHold, Referral, TimelineEvent
from referrals.tasks import release_expired_preservations, remind_expiring_preservations
from tests.factories import make_member
from tests.referrals.evidence_files import png_bytes, upload
from tests.referrals.factories import make_referral
from tests.referrals.review_factories import claimed

PRESERVED = {
    "action": "data_preserved",
    "ground": "legal",
    "policy": "Code of Criminal Procedure s.12",
    "statement_of_reasons": "Account and content data preserved as requested by the agency.",
}


def preserved(liaison, reviewer, *, days: int = 30, accounts=("held_account",)) -> Referral:
    """A preservation request decided `data_preserved`, held until today + `days`."""
    until = timezone.localdate() + timedelta(days=days)
    request = claimed(reviewer, liaison, "preservation_request", accounts=accounts, preserve_until=until.isoformat())
    from referrals.review.services.decisions import referral_decide

    referral_decide(by=reviewer, referral=request, **PRESERVED)
    return Referral.objects.select_related("decision").get(pk=request.pk)


def old_closed_notice_with_file(user, account: str, *, days_closed: int = 400) -> Evidence:
    files = evidence_inspect_all([upload("post.png", png_bytes())])
    notice = make_referral(user, targets=[{"platform": "x", "account": account}], evidence=files)
    Referral.objects.filter(pk=notice.pk).update(
        status="actioned", closed_at=timezone.now() - timedelta(days=days_closed)
    )
    return Evidence.objects.get(referral=notice)


# --- Holds and retention ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_preserved_request_holds_each_of_its_subjects_until_preserve_until(liaison, reviewer):
    request = preserved(liaison, reviewer, accounts=("one", "two"))
    holds = PreservationHold.objects.filter(referral=request)
    assert sorted(h.subject.account for h in holds) == ["one", "two"]
    assert {h.until for h in holds} == {request.preserve_until}
    assert all(h.released_at is None for h in holds)


@pytest.mark.django_db
def test_a_hold_keeps_its_subjects_evidence_past_retention_until_it_is_released(
    liaison, reviewer, ngo_member, settings
):
    settings.PORTAL_EVIDENCE_RETENTION_DAYS = 180
    evidence = old_closed_notice_with_file(ngo_member, "held_account")
    unrelated = old_closed_notice_with_file(ngo_member, "someone_else")
    request = preserved(liaison, reviewer, days=10)

    assert evidence_purge_expired() == 1  # only the file of the account not under hold
    evidence.refresh_from_db()
    unrelated.refresh_from_db()
    assert evidence.file_deleted_at is None
    assert evidence_path(evidence.stored_name).exists()
    assert unrelated.file_deleted_at is not None

    # The day after preserve_until, the hold is released and retention applies again.
    after = timezone.now() + timedelta(days=11)
    assert preservation_release_expired(now=after) == 1
    hold = PreservationHold.objects.get(referral=request)
    assert hold.released_at == after
    assert evidence_purge_expired(now=after) == 1
    evidence.refresh_from_db()
    assert evidence.file_deleted_at == after
    assert not evidence_path(evidence.stored_name).exists()


@pytest.mark.django_db
def test_a_hold_is_not_released_on_its_last_day(liaison, reviewer):
    request = preserved(liaison, reviewer, days=10)
    assert preservation_release_expired(now=timezone.now() + timedelta(days=10)) == 0
    assert PreservationHold.objects.get(referral=request).released_at is None


@pytest.mark.django_db
def test_release_runs_once_and_says_so_on_the_timeline(liaison, reviewer):
    request = preserved(liaison, reviewer, days=5, accounts=("a", "b"))
    after = timezone.now() + timedelta(days=6)
    assert preservation_release_expired(now=after) == 2
    assert preservation_release_expired(now=after + timedelta(hours=1)) == 0
    assert TimelineEvent.objects.filter(referral=request, type="preservation_released").count() == 1
    assert AuditEvent.objects.filter(action="preservation.release", object_id=str(request.pk)).count() == 1


@pytest.mark.django_db
def test_the_release_task_releases_expired_holds(liaison, reviewer):
    request = preserved(liaison, reviewer, days=5)
    PreservationHold.objects.filter(referral=request).update(until=timezone.localdate() - timedelta(days=1))
    assert release_expired_preservations.delay().get() == 1


# --- The expiry reminder ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_agency_is_reminded_once_seven_days_before_expiry(
    liaison, reviewer, agency, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = make_member(agency, "le_liaison")
    request = preserved(liaison, reviewer, days=30, accounts=("a", "b"))
    until = request.preserve_until

    assert preservation_remind_expiring(now=timezone.now() + timedelta(days=22)) == 0  # 8 days before
    mail.outbox.clear()
    seven_before = timezone.now() + timedelta(days=23)
    with django_capture_on_commit_callbacks(execute=True):
        assert preservation_remind_expiring(now=seven_before) == 2
    assert preservation_remind_expiring(now=seven_before + timedelta(hours=1)) == 0  # a second run sends nothing
    assert preservation_remind_expiring(now=seven_before + timedelta(days=3)) == 0

    assert set(PreservationHold.objects.filter(referral=request).values_list("reminder_sent_at", flat=True)) == {
        seven_before
    }
    # One message to each of the agency's liaisons, for the request as a whole.
    assert sorted(m.to[0] for m in mailoutbox) == sorted([liaison.email, colleague.email])
    assert request.reference in mailoutbox[0].subject
    assert f"{until:%-d %b %Y}" in mailoutbox[0].subject
    assert Notification.objects.filter(user=liaison, subject__contains="preservation ends").count() == 1
    assert TimelineEvent.objects.filter(referral=request, type="preservation_expiring").count() == 1


@pytest.mark.django_db
def test_no_reminder_for_a_released_hold(liaison, reviewer):
    request = preserved(liaison, reviewer, days=5)
    PreservationHold.objects.filter(referral=request).update(released_at=timezone.now())
    assert preservation_remind_expiring() == 0


@pytest.mark.django_db
def test_the_reminder_task_reminds(liaison, reviewer):
    preserved(liaison, reviewer, days=3)
    assert remind_expiring_preservations.delay().get() == 1
    assert remind_expiring_preservations.delay().get() == 0


@pytest.mark.django_db
def test_the_beat_runs_the_reminder_daily_and_the_release_hourly(settings):
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["referrals.tasks.remind_expiring_preservations"] == 86400.0
    assert schedule["referrals.tasks.release_expired_preservations"] == 3600.0


# --- Renewal --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_agency_renews_before_expiry_with_a_new_linked_request(liaison, reviewer, agency):
    request = preserved(liaison, reviewer, days=20, accounts=("a", "b"))
    colleague = make_member(agency, "le_liaison")
    renewal = preservation_renew(by=colleague, referral=request)

    assert renewal.pk != request.pk
    assert renewal.renewal_of == request
    assert renewal.kind == "preservation_request"
    assert renewal.status in ("received", "routed")
    assert renewal.preserve_until == request.preserve_until + timedelta(days=90)
    assert [t.account for t in renewal.targets.all()] == ["a", "b"]
    assert renewal.authority_reference == request.authority_reference
    assert TimelineEvent.objects.filter(referral=request, type="renewal_requested").count() == 1
    assert AuditEvent.objects.filter(action="referral.renew", object_id=str(renewal.pk)).count() == 1


@pytest.mark.django_db
def test_a_renewal_must_extend_the_preservation(liaison, reviewer):
    request = preserved(liaison, reviewer, days=20)
    with pytest.raises(DomainError) as exc:
        preservation_renew(by=liaison, referral=request, preserve_until=request.preserve_until)
    assert exc.value.field == "preserve_until"
    assert Referral.objects.count() == 1


@pytest.mark.django_db
def test_only_the_same_agency_may_renew(liaison, reviewer, other_ngo_member):
    from tests.factories import OrganisationFactory

    request = preserved(liaison, reviewer, days=20)
    other_agency = OrganisationFactory(kind="law_enforcement", slug="other-police", email_domains=["other.test"])
    for outsider in (make_member(other_agency, "le_liaison"), reviewer, other_ngo_member):
        with pytest.raises(NotAllowed):
            preservation_renew(by=outsider, referral=request)
    assert Referral.objects.count() == 1


@pytest.mark.django_db
def test_no_renewal_after_expiry(liaison, reviewer):
    request = preserved(liaison, reviewer, days=20)
    Referral.objects.filter(pk=request.pk).update(preserve_until=timezone.localdate() - timedelta(days=1))
    request.refresh_from_db()
    with pytest.raises(TransitionError):
        preservation_renew(by=liaison, referral=request)


@pytest.mark.django_db
def test_one_open_renewal_at_a_time(liaison, reviewer):
    request = preserved(liaison, reviewer, days=20)
    preservation_renew(by=liaison, referral=request)
    with pytest.raises(TransitionError):
        preservation_renew(by=liaison, referral=request)
    assert Referral.objects.filter(renewal_of=request).count() == 1


@pytest.mark.django_db
def test_an_undecided_request_cannot_be_renewed(liaison):
    request = make_referral(liaison, "preservation_request")
    with pytest.raises(TransitionError):
        preservation_renew(by=liaison, referral=request)
