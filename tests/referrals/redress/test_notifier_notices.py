"""Notices to notifiers (DSA Art. 16(4)-(5), SPEC §16): a confirmation of receipt for every
filing (one summary for a bulk filing), and decision notices that say how and until when to
appeal; to the submitting organisation's members only, each in their language and time zone."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat, timezone, translation

from portal.models import AuditEvent, Notification
from referrals.intake.services import bulk
from referrals.intake.services.filing import referral_withdraw
from referrals.models import Kind, Referral
from referrals.redress.selectors import APPEAL_WINDOW
from referrals.redress.services import appeal_decide
from referrals.review.services.claims import referral_claim
from referrals.review.services.decisions import referral_decide
from referrals.services.notify import (
    bulk_job_notify_received,
    referrals_notify_received,
    referrals_sweep_receipts,
)
from tests.referrals.factories import make_referral
from tests.referrals.redress.redress_factories import STATEMENT, appealed, no_violation
from tests.referrals.review_factories import DECISION, decided

pytestmark = pytest.mark.django_db

TOKYO = "Asia/Tokyo"


def mail_to(outbox, user) -> list:
    return [m for m in outbox if user.email in m.to]


def text_of(message) -> str:
    return message.subject + message.body + "".join(a[0] for a in message.alternatives)


def set_locale(user, *, language: str = "", time_zone: str = "") -> None:
    user.language, user.time_zone = language, time_zone
    user.save(update_fields=["language", "time_zone"])


# --- Confirmation of receipt -----------------------------------------------------------------------


def test_a_filing_is_confirmed_to_the_submitting_organisations_members_only(
    ngo_member, ngo_admin, other_ngo_member, reviewer, lead, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = make_referral(ngo_member, targets=[{"url": "https://x.com/recruiter/status/9"}])

    for member in (ngo_member, ngo_admin):
        [message] = mail_to(mailoutbox, member)
        assert message.subject == f"{referral.reference}: received"
        assert f"Your organisation's referral {referral.reference} (Notice) was received on" in message.body
        assert "https://x.com/recruiter/status/9" in message.body
        assert f"/referrals/{referral.reference}/" in message.body
        assert "<bdi>https://x.com/recruiter/status/9</bdi>" in message.alternatives[0][0]
        [note] = Notification.objects.filter(user=member)
        assert (note.subject, note.link) == (message.subject, f"/referrals/{referral.reference}/")
    for outsider in (other_ngo_member, reviewer, lead):
        assert not mail_to(mailoutbox, outsider)
        assert not Notification.objects.filter(user=outsider).exists()
    entry = AuditEvent.objects.get(action="referral.receipt")
    assert (entry.object_id, entry.data["recipients"]) == (str(referral.pk), 2)


def test_the_receipt_is_in_each_members_language_and_time_zone(
    ngo_member, ngo_admin, mailoutbox, django_capture_on_commit_callbacks
):
    set_locale(ngo_member, language="fr")
    set_locale(ngo_admin, time_zone=TOKYO)

    with django_capture_on_commit_callbacks(execute=True):
        referral = make_referral(ngo_member)

    [french] = mail_to(mailoutbox, ngo_member)
    [english] = mail_to(mailoutbox, ngo_admin)
    assert '<html lang="fr"' in french.alternatives[0][0]
    assert '<html lang="en"' in english.alternatives[0][0]
    tokyo = timezone.localtime(referral.received_at, ZoneInfo(TOKYO))
    assert f"was received on {tokyo:%-d %B %Y, %H:%M} JST." in english.body


def test_the_receipt_is_sent_once_however_often_the_task_runs(
    ngo_member, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = make_referral(ngo_member)
    assert len(mail_to(mailoutbox, ngo_member)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        assert referrals_notify_received(seqs=[referral.seq]) == 0

    assert len(mail_to(mailoutbox, ngo_member)) == 1
    assert Notification.objects.filter(user=ngo_member).count() == 1
    assert AuditEvent.objects.filter(action="referral.receipt").count() == 1


def test_a_receipt_whose_task_was_lost_is_sent_by_the_sweeper_once(
    ngo_member, mailoutbox, django_capture_on_commit_callbacks
):
    # The broker was down when the filing committed: its routing and receipt tasks were lost.
    with django_capture_on_commit_callbacks(execute=False):
        referral = make_referral(ngo_member)
    assert not mail_to(mailoutbox, ngo_member)

    # Within two minutes the task may still come; after them the sweeper sends it, once.
    assert referrals_sweep_receipts(now=referral.received_at + timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert referrals_sweep_receipts(now=referral.received_at + timedelta(minutes=3)) == 1
        assert referrals_sweep_receipts(now=referral.received_at + timedelta(minutes=8)) == 0

    [message] = mail_to(mailoutbox, ngo_member)
    assert message.subject == f"{referral.reference}: received"


def test_receipts_are_swept_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["referrals-sweep-receipts"]
    assert (entry["task"], entry["schedule"]) == ("referrals.tasks.sweep_receipts", 300.0)


def test_a_removal_order_receipt_says_when_it_is_due(liaison, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = make_referral(liaison, Kind.REMOVAL_ORDER)

    [message] = mail_to(mailoutbox, liaison)
    assert f"it is due to be decided by {order.due_at:%H:%M} UTC." in message.body


def test_a_signal_is_confirmed_to_nobody(reviewer, lead, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_referral(reviewer, Kind.SIGNAL)

    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_a_bulk_filing_is_confirmed_once_as_one_summary(
    ngo_member, ngo_admin, other_ngo_member, mailoutbox, django_capture_on_commit_callbacks
):
    rows = bulk.csv_template().splitlines()
    good = rows[1]
    refused = good.replace("terrorist_recruitment", "not_a_category")
    csv = "\n".join([rows[0], good, good.replace("1234", "1235"), good.replace("1234", "1236"), refused]) + "\n"

    with django_capture_on_commit_callbacks(execute=True):
        job = bulk.bulk_job_create(user=ngo_member, items=bulk.parse_csv(csv.encode()))

    job.refresh_from_db()
    assert (job.status, job.created, job.failed) == ("done", 3, 1)
    first, *_, last = Referral.objects.filter(organisation=job.organisation).order_by("seq")
    [own] = mail_to(mailoutbox, ngo_member)  # one summary, no receipt per row
    [colleague] = mail_to(mailoutbox, ngo_admin)
    assert not mail_to(mailoutbox, other_ngo_member)
    assert own.subject == colleague.subject == "Bulk filing received: 3 referrals"
    for message in (own, colleague):
        assert "3 referrals were filed." in message.body
        assert f"The first is {first.reference}, the last {last.reference}." in message.body
        assert "1 row was refused." in message.body
    assert f"/referrals/bulk/{job.pk}/" in own.body
    assert f"/referrals/bulk/{job.pk}/" not in colleague.body and "/referrals/" in colleague.body
    assert Notification.objects.get(user=ngo_member).link == f"/referrals/bulk/{job.pk}/"

    with django_capture_on_commit_callbacks(execute=True):
        assert bulk_job_notify_received(job_id=job.pk) is False
    assert len(mail_to(mailoutbox, ngo_member)) == 1


# --- The decision notice: how and until when to appeal ------------------------------------------------


def test_the_decision_notice_says_how_and_until_when_to_appeal(
    ngo_member, lead, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = decided(lead, ngo_member)
    until = referral.decision.decided_at + APPEAL_WINDOW

    [message] = [m for m in mail_to(mailoutbox, ngo_member) if "#appeal-h" in m.body]
    assert message.subject == f"{referral.reference}: Actioned"
    assert (
        f"your organisation can appeal it once, until {until:%-d %B %Y, %H:%M} UTC. "
        "Someone other than the reviewer who took it decides the appeal." in message.body
    )
    assert f"/referrals/{referral.reference}/#appeal-h" in message.body
    assert f"POST /api/v1/referrals/{referral.id}/appeal/" in message.body
    assert f'/referrals/{referral.reference}/#appeal-h">Appeal this decision</a>' in message.alternatives[0][0]
    assert lead.email not in text_of(message)
    note = Notification.objects.filter(user=ngo_member, subject=message.subject).get()
    assert "appeal it once" in note.body


def test_the_appeal_date_is_in_the_recipients_language_and_time_zone(
    ngo_member, ngo_admin, lead, mailoutbox, django_capture_on_commit_callbacks
):
    set_locale(ngo_member, language="fr", time_zone="Europe/Paris")
    set_locale(ngo_admin, time_zone=TOKYO)

    with django_capture_on_commit_callbacks(execute=True):
        referral = decided(lead, ngo_member)
    until = referral.decision.decided_at + APPEAL_WINDOW

    [tokyo] = [m for m in mail_to(mailoutbox, ngo_admin) if "#appeal-h" in m.body]
    assert f"until {timezone.localtime(until, ZoneInfo(TOKYO)):%-d %B %Y, %H:%M} JST" in tokyo.body
    [french] = [m for m in mail_to(mailoutbox, ngo_member) if "#appeal-h" in m.body]
    paris = timezone.localtime(until, ZoneInfo("Europe/Paris"))
    with translation.override("fr"):
        day = dateformat.format(paris, "j F Y, H:i")  # French month names
    assert day in french.body


def test_a_no_violation_notice_offers_the_appeal_too(ngo_member, lead, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        no_violation(lead, ngo_member)

    [message] = [m for m in mail_to(mailoutbox, ngo_member) if m.subject.endswith("No violation")]
    assert "your organisation can appeal it once, until" in message.body


def test_a_decision_taken_again_after_the_appeal_is_not_offered_for_appeal_again(
    ngo_member, lead, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    referral = no_violation(lead, ngo_member)
    appeal_decide(by=reviewer, appeal=appealed(referral, ngo_member), outcome="reversed", statement=STATEMENT)
    referral.refresh_from_db()
    referral.queue.members.add(reviewer)
    referral = referral_claim(by=reviewer, referral=referral)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        referral_decide(by=reviewer, referral=referral, **DECISION)

    [message] = mail_to(mailoutbox, ngo_member)
    assert message.subject == f"{referral.reference}: Actioned"
    assert "taken again after your organisation's appeal" in message.body
    assert "appeal it once, until" not in message.body


def test_notices_without_a_decision_say_nothing_of_appeals(ngo_member, mailoutbox, django_capture_on_commit_callbacks):
    referral = make_referral(ngo_member)

    with django_capture_on_commit_callbacks(execute=True):
        referral_withdraw(referral=referral, user=ngo_member)

    [message] = mail_to(mailoutbox, ngo_member)
    assert message.subject == f"{referral.reference}: Withdrawn"
    assert "appeal" not in text_of(message).lower()
