"""Who is told what about appeals and complaints (SPEC §16): the appellant organisation's
members in-app and by e-mail, each in their language; never of a complaint."""

import pytest

from portal.models import Notification
from referrals.redress.services import appeal_decide
from tests.referrals.redress.redress_factories import REASON, STATEMENT, appealed, complained, no_violation, suspended

pytestmark = pytest.mark.django_db


def mail_to(outbox, user) -> list:
    return [m for m in outbox if user.email in m.to]


def text_of(message) -> str:
    return message.subject + message.body + "".join(a[0] for a in message.alternatives)


def test_the_appellant_organisation_is_told_the_appeal_was_received(
    ngo_member, ngo_admin, other_ngo_member, lead, mailoutbox, django_capture_on_commit_callbacks
):
    referral = no_violation(lead, ngo_member)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        appeal = appealed(referral, ngo_member)

    for member in (ngo_member, ngo_admin):
        [message] = mail_to(mailoutbox, member)
        assert message.subject == f"{referral.reference}: appeal received"
        assert f"{appeal.due_at:%-d %B %Y}" in message.body
        assert f"/referrals/{referral.reference}/" in message.body
        assert Notification.objects.filter(user=member, link=f"/referrals/{referral.reference}/").exists()
    assert not mail_to(mailoutbox, other_ngo_member)
    assert not mail_to(mailoutbox, lead)


@pytest.mark.parametrize(
    ("outcome", "subject", "line"),
    [
        ("upheld", "appeal decided, decision upheld", "the decision stands"),
        ("reversed", "appeal decided, decision reversed", "The account is active again."),
    ],
)
def test_the_appellant_is_told_the_outcome_with_the_statement_but_not_who_decided(
    ngo_member, lead, reviewer, mailoutbox, django_capture_on_commit_callbacks, outcome, subject, line
):
    appeal = appealed(suspended(lead, ngo_member), ngo_member)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        appeal_decide(by=reviewer, appeal=appeal, outcome=outcome, statement=STATEMENT)

    [message] = mail_to(mailoutbox, ngo_member)
    assert message.subject == f"{appeal.referral.reference}: {subject}"
    text = text_of(message)
    assert line in text and STATEMENT in text
    assert reviewer.email not in text and lead.email not in text


def test_a_no_action_reversed_tells_the_appellant_it_is_back_in_review(
    ngo_member, lead, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    appeal = appealed(no_violation(lead, ngo_member), ngo_member)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        appeal_decide(by=reviewer, appeal=appeal, outcome="reversed", statement=STATEMENT)

    [message] = mail_to(mailoutbox, ngo_member)
    assert "back in review for a fresh decision" in message.body


def test_a_complaint_is_never_told_to_the_submitter(
    ngo_member, lead, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    referral = suspended(lead, ngo_member)
    mailoutbox.clear()
    before = Notification.objects.filter(user=ngo_member).count()
    secret = "The holder says the account archives a newspaper's reporting."

    with django_capture_on_commit_callbacks(execute=True):
        complaint = complained(referral, reviewer, reason=secret)
        appeal_decide(by=reviewer, appeal=complaint, outcome="upheld", statement=STATEMENT)

    assert not mail_to(mailoutbox, ngo_member)
    assert Notification.objects.filter(user=ngo_member).count() == before


def test_a_reversal_on_complaint_tells_the_submitter_only_that_the_decision_was_reversed(
    ngo_member, lead, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    referral = suspended(lead, ngo_member)
    secret = "The holder says the account archives a newspaper's reporting."
    complaint = complained(referral, reviewer, reason=secret)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        appeal_decide(by=reviewer, appeal=complaint, outcome="reversed", statement=STATEMENT)

    [message] = mail_to(mailoutbox, ngo_member)
    text = text_of(message)
    assert message.subject == f"{referral.reference}: decision reversed"
    assert "The account is active again." in text
    for withheld in (secret, STATEMENT, "complaint", reviewer.email):
        assert withheld not in text


def test_each_member_is_written_to_in_their_own_language(
    ngo_member, ngo_admin, lead, mailoutbox, django_capture_on_commit_callbacks
):
    ngo_member.language = "fr"
    ngo_member.save(update_fields=["language"])
    referral = no_violation(lead, ngo_member)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        appealed(referral, ngo_admin, reason=REASON)

    [french] = mail_to(mailoutbox, ngo_member)
    [english] = mail_to(mailoutbox, ngo_admin)
    # One rendering per language: the French one is a document in French (its words come
    # with the translators' pass over the new messages).
    assert '<html lang="fr"' in french.alternatives[0][0]
    assert '<html lang="en"' in english.alternatives[0][0]
