"""Messages both ways (SPEC §17): the submitting organisation and the platform write to each
other until the referral closes; partners see "Platform reviewer"; a submitter's message in
`needs_info` answers the request and resumes the clock; each new message tells the other side."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.errors import NotAllowed, TransitionError
from portal.models import AuditEvent, Notification
from referrals.intake.services.filing import referral_reply
from referrals.models import Message, Referral, Status, TimelineEvent
from referrals.review.services.claims import referral_request_info
from referrals.services.messages import message_post
from tests.factories import make_member
from tests.referrals.factories import make_referral
from tests.referrals.review_factories import claimed, decided, routed

pytestmark = pytest.mark.django_db


def url(referral) -> str:
    return f"/api/v1/referrals/{referral.id}/messages/"


def post(api, referral, body: str):
    return api.post(url(referral), {"body": body}, format="json")


# --- Both sides write and read -------------------------------------------------------------------


def test_the_submitter_and_the_assignee_write_and_both_read_the_conversation_oldest_first(api_for, liaison, reviewer):
    referral = claimed(reviewer, liaison, "le_referral")
    assert Message.objects.filter(referral=referral).count() == 0

    first = post(api_for(liaison), referral, "We have a second account to add.")
    second = post(api_for(reviewer), referral, "Send it here, please.")

    # The answer to a message is the referral, as it was in wave 1 for an answer.
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["id"] == str(referral.id) and second.json()["status"] == "in_review"
    partner = api_for(liaison).get(url(referral)).json()
    assert [(m["from"], m["body"]) for m in partner] == [
        ("submitter", "We have a second account to add."),
        ("platform", "Send it here, please."),
    ]
    assert all(set(m) == {"at", "from", "body"} for m in partner)
    platform = api_for(reviewer).get(url(referral)).json()
    assert [m["author"] for m in platform] == [liaison.email, reviewer.email]
    # An ordinary message changes nothing of the review.
    referral.refresh_from_db()
    assert (referral.status, referral.assignee) == (Status.IN_REVIEW, reviewer)


def test_the_partner_reads_platform_reviewer_and_never_the_reviewers_address(
    api_for, client_for, liaison, reviewer, django_capture_on_commit_callbacks
):
    referral = claimed(reviewer, liaison, "le_referral")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(api_for(reviewer), referral, "Which platform is the second account on?")

    messages = api_for(liaison).get(url(referral))
    events = api_for(liaison).get(f"/api/v1/referrals/{referral.id}/events/").json()
    page = client_for(liaison).get(f"/referrals/{referral.reference}/").content.decode()
    told = [m for m in mail.outbox if m.to == [liaison.email]]

    assert messages.json()[0]["from"] == "platform"
    written = next(e for e in events if e["type"] == "message")
    assert written["actor"] == "Platform reviewer"
    assert written["message"] == "Which platform is the second account on?"
    assert "Platform reviewer" in page and "Which platform is the second account on?" in page
    assert told and "Which platform is the second account on?" in told[0].body
    for surface in (messages.content.decode(), str(events), page, told[0].body, told[0].alternatives[0][0]):
        assert reviewer.email not in surface
        assert reviewer.display_name not in surface


def test_platform_staff_read_who_wrote_each_message_on_the_page(client_for, liaison, reviewer, agency):
    referral = claimed(reviewer, liaison, "le_referral")
    message_post(by=liaison, referral=referral, body="We have more.")
    message_post(by=reviewer, referral=referral, body="Thank you.")

    page = client_for(reviewer).get(f"/referrals/{referral.reference}/").content.decode()

    assert liaison.email in page and reviewer.email in page
    assert agency.name in page


def test_a_leads_message_is_the_platforms_and_policy_staff_only_read(api_for, ngo_member, lead, policy):
    referral = routed(ngo_member)

    assert post(api_for(lead), referral, "Is the account still active?").status_code == 200
    assert post(api_for(policy), referral, "A policy question.").status_code == 403
    assert [m["from"] for m in api_for(policy).get(url(referral)).json()] == ["platform"]


def test_a_reviewer_writes_on_the_referrals_of_its_queues_only(api_for, ngo_member, reviewer):
    referral = routed(ngo_member)

    assert post(api_for(reviewer), referral, "Hello.").status_code == 403
    referral.queue.members.add(reviewer)
    assert post(api_for(reviewer), referral, "Hello.").status_code == 200


def test_another_organisation_gets_404_and_anonymous_is_refused(api_for, anon_api, ngo_member, other_ngo_member):
    referral = routed(ngo_member)

    assert api_for(other_ngo_member).get(url(referral)).status_code == 404
    assert post(api_for(other_ngo_member), referral, "Hello.").status_code == 404
    assert anon_api.get(url(referral)).status_code in (401, 403)
    assert not Message.objects.filter(referral=referral).exists()


def test_a_colleague_in_the_same_organisation_reads_the_messages_as_the_organisations(
    client_for, ngo_member, ngo_admin, reviewer
):
    referral = routed(ngo_member)
    message_post(by=ngo_member, referral=referral, body="Written by a colleague.")

    mine = client_for(ngo_member).get(f"/referrals/{referral.reference}/").content.decode()
    theirs = client_for(ngo_admin).get(f"/referrals/{referral.reference}/").content.decode()

    assert "You" in mine
    assert "Your organisation" in theirs


def test_an_empty_or_too_long_message_is_400_and_invisible_characters_are_stripped(api_for, ngo_member):
    referral = routed(ngo_member)

    empty = post(api_for(ngo_member), referral, "  ")
    long = post(api_for(ngo_member), referral, "x" * 5001)
    hidden = post(api_for(ngo_member), referral, "The\u202e first.")

    assert empty.status_code == 400 and "body" in empty.json()
    assert long.status_code == 400 and "body" in long.json()
    assert hidden.status_code == 200
    assert Message.objects.get(referral=referral).body == "The first."


def test_a_message_is_on_the_timeline_and_audited(ngo_member, lead):
    referral = routed(ngo_member)

    message = message_post(by=lead, referral=referral, body="A question from the platform.")

    event = TimelineEvent.objects.get(referral=referral, type="message")
    assert (event.actor, event.message, event.data["side"]) == (lead, "A question from the platform.", "platform")
    entry = AuditEvent.objects.get(action="referral.message", object_id=str(referral.pk))
    assert (entry.actor, entry.data["side"], entry.data["message"]) == (lead, "platform", str(message.pk))


# --- Until it closes -----------------------------------------------------------------------------


def test_a_closed_referral_takes_no_more_messages(api_for, client_for, ngo_member, lead):
    referral = decided(lead, ngo_member)

    assert post(api_for(ngo_member), referral, "One more thing.").status_code == 409
    assert post(api_for(lead), referral, "One more thing.").status_code == 409
    page = client_for(ngo_member).get(f"/referrals/{referral.reference}/").content.decode()
    assert "no more messages can be sent" in page
    assert f"/referrals/{referral.reference}/messages/" not in page
    assert not Message.objects.filter(referral=referral).exists()


def test_a_withdrawn_referral_takes_no_more_messages(ngo_member):
    referral = make_referral(ngo_member)
    Referral.objects.filter(pk=referral.pk).update(status=Status.WITHDRAWN)

    with pytest.raises(TransitionError):
        message_post(by=ngo_member, referral=referral, body="Sorry, one more.")


def test_a_signal_has_no_exchange(api_for, client_for, lead, reviewer):
    signal = make_referral(reviewer, "signal")

    assert post(api_for(lead), signal, "To nobody.").status_code == 409
    assert api_for(lead).get(url(signal)).json() == []
    assert 'id="messages-h"' not in client_for(lead).get(f"/referrals/{signal.reference}/").content.decode()


# --- An answer to a request for information ------------------------------------------------------


def test_the_request_for_information_is_the_platforms_message(api_for, liaison, reviewer):
    referral = claimed(reviewer, liaison, "le_referral")

    referral_request_info(by=reviewer, referral=referral, message="Which post do you mean?")

    (asked,) = api_for(liaison).get(url(referral)).json()
    assert (asked["from"], asked["body"]) == ("platform", "Which post do you mean?")
    assert Message.objects.get(referral=referral).author == reviewer


def test_a_submitters_message_in_needs_info_answers_it_and_resumes_the_clock(
    api_for, liaison, reviewer, django_capture_on_commit_callbacks
):
    order = claimed(reviewer, liaison, "removal_order")
    due = order.due_at
    referral_request_info(
        by=reviewer, referral=order, message="Which video?", now=timezone.now() - timedelta(minutes=30)
    )
    order.refresh_from_db()
    assert (order.status, order.assignee) == (Status.NEEDS_INFO, reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(api_for(liaison), order, "The second one.")

    assert response.status_code == 200
    assert response.json()["status"] == "routed"
    order.refresh_from_db()
    assert (order.status, order.assignee, order.paused_at) == (Status.ROUTED, None, None)
    assert timedelta(minutes=30) <= order.due_at - due < timedelta(minutes=30, seconds=5)
    assert 1800 <= order.paused_seconds < 1805
    assert TimelineEvent.objects.filter(referral=order, type="info_provided", message="The second one.").exists()
    assert not TimelineEvent.objects.filter(referral=order, type="message").exists()
    assert AuditEvent.objects.filter(action="referral.reply", object_id=str(order.pk)).exists()
    assert [m["body"] for m in api_for(liaison).get(url(order)).json()] == ["Which video?", "The second one."]


def test_the_wave_one_answer_still_answers_and_is_a_message(liaison, reviewer):
    referral = claimed(reviewer, liaison, "le_referral")
    referral_request_info(by=reviewer, referral=referral, message="Which post?")

    answered = referral_reply(referral=referral, user=liaison, body="The pinned one.")

    assert answered.status == Status.ROUTED
    answer = Message.objects.filter(referral=referral).last()
    assert (answer.side, answer.author, answer.body) == ("submitter", liaison, "The pinned one.")


def test_the_wave_one_answer_refuses_when_nothing_was_asked(liaison, reviewer):
    referral = claimed(reviewer, liaison, "le_referral")

    with pytest.raises(TransitionError):
        referral_reply(referral=referral, user=liaison, body="Unasked.")
    with pytest.raises(NotAllowed):
        referral_reply(referral=referral, user=reviewer, body="Not mine to answer.")
    assert not Message.objects.filter(referral=referral).exists()


# --- Telling the other side ----------------------------------------------------------------------


def test_a_platform_message_tells_the_submitting_organisation(
    ngo, ngo_member, ngo_admin, other_ngo_member, reviewer, django_capture_on_commit_callbacks
):
    referral = claimed(reviewer, ngo_member)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        message_post(by=reviewer, referral=referral, body="Is the video still up?")

    told = {u for (u,) in Notification.objects.filter(subject__contains=referral.reference).values_list("user")}
    assert told == {ngo_member.pk, ngo_admin.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ngo_member.email, ngo_admin.email])
    assert referral.reference in mail.outbox[0].subject
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_a_submitters_message_tells_the_assignee_only(
    ngo_member, reviewer, platform, django_capture_on_commit_callbacks
):
    referral = claimed(reviewer, ngo_member)
    colleague = make_member(platform, "reviewer")
    referral.queue.members.add(colleague)
    mail.outbox.clear()
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        message_post(by=ngo_member, referral=referral, body="One more link.")

    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert Notification.objects.filter(user=reviewer, link__contains=referral.reference).exists()
    assert not Notification.objects.filter(user__in=[colleague, ngo_member]).exists()
    assert "One more link." in mail.outbox[0].body


def test_a_submitters_message_on_an_unassigned_referral_tells_its_queue(
    ngo_member, reviewer, platform, django_capture_on_commit_callbacks
):
    referral = routed(ngo_member)
    colleague = make_member(platform, "reviewer")
    referral.queue.members.add(reviewer, colleague)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        message_post(by=ngo_member, referral=referral, body="One more link.")

    assert sorted(m.to[0] for m in mail.outbox) == sorted([reviewer.email, colleague.email])


def test_an_answer_tells_the_reviewer_who_asked(liaison, reviewer, django_capture_on_commit_callbacks):
    referral = claimed(reviewer, liaison, "le_referral")
    referral_request_info(by=reviewer, referral=referral, message="Which post?")
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        message_post(by=liaison, referral=referral, body="The pinned one.")

    assert Notification.objects.filter(user=reviewer, body__contains="The pinned one.").exists()
    assert Notification.objects.filter(user=liaison).exists()  # the status change, as in wave 1


# --- The page ------------------------------------------------------------------------------------


def test_the_form_on_the_page_posts_a_message(client_for, ngo_member):
    referral = routed(ngo_member)
    client = client_for(ngo_member)
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert f'action="/referrals/{referral.reference}/messages/"' in page

    response = client.post(f"/referrals/{referral.reference}/messages/", {"body": "Sent from the page."})

    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.reference}/#messages-h"
    assert Message.objects.get(referral=referral).body == "Sent from the page."
    page = client.get(response["Location"]).content.decode()
    assert "Message sent." in page and "Sent from the page." in page


def test_in_needs_info_the_pages_form_is_the_answer(client_for, liaison, reviewer):
    referral = claimed(reviewer, liaison, "le_referral")
    referral_request_info(by=reviewer, referral=referral, message="Which post?")
    client = client_for(liaison)

    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "The platform asked for more information" in page and "Send answer" in page

    response = client.post(f"/referrals/{referral.reference}/messages/", {"body": "The pinned one."})

    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == Status.ROUTED
    assert "Answer sent; the review resumes." in client.get(response["Location"]).content.decode()


def test_the_pages_form_refuses_policy_staff_and_other_organisations(client_for, ngo_member, other_ngo_member, policy):
    referral = routed(ngo_member)

    assert client_for(policy).post(f"/referrals/{referral.reference}/messages/", {"body": "x"}).status_code == 403
    assert (
        client_for(other_ngo_member).post(f"/referrals/{referral.reference}/messages/", {"body": "x"}).status_code
        == 404
    )
    assert (
        'action="/referrals/' + referral.reference + '/messages/"'
        not in client_for(policy).get(f"/referrals/{referral.reference}/").content.decode()
    )
    assert not Message.objects.filter(referral=referral).exists()


def test_the_pages_form_needs_the_csrf_token(ngo_member):
    from django.test import Client

    from tests.conftest import login

    referral = routed(ngo_member)
    client = login(Client(enforce_csrf_checks=True), ngo_member)

    response = client.post(f"/referrals/{referral.reference}/messages/", {"body": "Forged."})

    assert response.status_code == 403
    assert not Message.objects.filter(referral=referral).exists()
