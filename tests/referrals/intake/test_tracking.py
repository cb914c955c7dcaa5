"""Following referrals: lists, filters, the referral page, timeline, withdraw, reply, notices."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.models import AuditEvent, Notification
from referrals.models import Referral, TimelineEvent
from referrals.services.timeline import timeline_add
from tests.referrals.factories import make_referral

API = "/api/v1/referrals/"


def needs_info(referral, reviewer, *, minutes_ago: int = 30):
    """Put a referral in `needs_info` the way review leaves it (routing owns that service)."""
    paused_at = timezone.now() - timedelta(minutes=minutes_ago)
    Referral.objects.filter(pk=referral.pk).update(
        status="needs_info", paused_at=paused_at, due_at=referral.received_at + timedelta(hours=12), assignee=reviewer
    )
    timeline_add(referral, "info_requested", actor=reviewer, message="Which post do you mean?")
    return Referral.objects.get(pk=referral.pk)


# --- Lists -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_only_the_organisations_referrals(api_for, ngo_member, ngo_admin, other_ngo_member):
    mine = make_referral(ngo_member)
    colleague = make_referral(ngo_admin)
    make_referral(other_ngo_member)
    body = api_for(ngo_member).get(API).json()
    assert set(body) == {"next", "previous", "results"}
    assert [r["id"] for r in body["results"]] == [str(colleague.id), str(mine.id)]


@pytest.mark.django_db
def test_platform_roles_list_every_referral(api_for, ngo_member, other_ngo_member, liaison, policy):
    for user, kind in [(ngo_member, "notice"), (other_ngo_member, "notice"), (liaison, "le_referral")]:
        make_referral(user, kind)
    assert len(api_for(policy).get(API).json()["results"]) == 3


@pytest.mark.django_db
def test_list_filters(api_for, ngo_member, liaison):
    a = make_referral(ngo_member, category="propaganda", targets=[{"url": "https://x.com/alpha"}])
    b = make_referral(ngo_member, category="glorification", targets=[{"url": "https://x.com/beta"}])
    Referral.objects.filter(pk=a.pk).update(received_at=timezone.now() - timedelta(days=10), status="routed")
    client = api_for(ngo_member)

    def ids(**params):
        response = client.get(API, params)
        assert response.status_code == 200, response.json()
        return [r["id"] for r in response.json()["results"]]

    assert ids(status="routed") == [str(a.id)]
    assert ids(category="glorification") == [str(b.id)]
    assert ids(kind="notice") == [str(b.id), str(a.id)]
    assert ids(received_after=(timezone.now() - timedelta(days=1)).isoformat()) == [str(b.id)]
    assert ids(received_before=(timezone.now() - timedelta(days=1)).isoformat()) == [str(a.id)]
    assert ids(subject=str(a.targets.get().subject_id)) == [str(a.id)]
    assert ids(queue="general") == []  # partners cannot filter by queue


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"status": "lost"}, {"kind": "x"}, {"received_after": "soon"}, {"subject": "1"}])
def test_bad_filters_are_400(api_for, ngo_member, params):
    assert api_for(ngo_member).get(API, params).status_code == 400


@pytest.mark.django_db
def test_list_is_cursor_paginated_newest_first(api_for, ngo_member):
    made = [make_referral(ngo_member, targets=[{"url": f"https://x.com/a{n}"}]) for n in range(5)]
    client = api_for(ngo_member)
    first = client.get(API, {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    assert [r["id"] for r in first["results"] + second["results"]] == [str(r.id) for r in made[::-1][:4]]


def _count_queries(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["ngo_member", "reviewer"])
def test_list_endpoint_queries_do_not_grow_with_page_size(
    request, api_for, ngo_member, persona, django_assert_num_queries
):
    client = api_for(request.getfixturevalue(persona))
    for n in range(25):
        make_referral(ngo_member, targets=[{"url": f"https://x.com/a{n}"}, {"url": f"https://t.me/b{n}"}])
    client.get(API)  # the token's last-use write happens once a minute; get it out of the way
    # token, user's membership, referrals page, their targets, their evidence
    one = _count_queries(lambda: client.get(API, {"page_size": 1}))
    with django_assert_num_queries(one):
        response = client.get(API, {"page_size": 20})
    assert len(response.json()["results"]) == 20


@pytest.mark.django_db
def test_list_page_queries_do_not_grow_with_rows(client_for, ngo_member, django_assert_num_queries):
    client = client_for(ngo_member)
    make_referral(ngo_member)
    client.get("/referrals/")
    few = _count_queries(lambda: client.get("/referrals/"))
    for n in range(30):
        make_referral(ngo_member, targets=[{"url": f"https://x.com/a{n}"}, {"url": f"https://t.me/b{n}"}])
    with django_assert_num_queries(few):
        client.get("/referrals/")


@pytest.mark.django_db
def test_list_page_filters_and_search(client_for, ngo_member):
    a = make_referral(ngo_member, targets=[{"url": "https://x.com/needle"}])
    b = make_referral(ngo_member, category="propaganda", targets=[{"url": "https://x.com/hay"}])
    client = client_for(ngo_member)
    assert a.reference in client.get("/referrals/", {"q": "@Needle"}).content.decode()
    assert b.reference not in client.get("/referrals/", {"q": "@Needle"}).content.decode()
    page = client.get("/referrals/", {"q": b.reference}).content.decode()
    assert b.reference in page and a.reference not in page
    page = client.get("/referrals/", {"category": "propaganda"}).content.decode()
    assert b.reference in page and a.reference not in page


@pytest.mark.django_db
def test_list_page_pages_by_cursor(client_for, ngo_member):
    from referrals.intake import views

    made = [make_referral(ngo_member, targets=[{"url": f"https://x.com/a{n}"}]) for n in range(views.PAGE_SIZE + 3)]
    client = client_for(ngo_member)
    first = client.get("/referrals/").content.decode()
    assert made[-1].reference in first and made[0].reference not in first
    second = client.get("/referrals/", {"before": made[3].seq}).content.decode()
    assert made[0].reference in second and made[-1].reference not in second


# --- The referral page and detail --------------------------------------------------------------


@pytest.mark.django_db
def test_referral_page_shows_targets_evidence_and_timeline(client_for, ngo_member):
    referral = make_referral(ngo_member, targets=[{"url": "https://x.com/someone"}, {"url": "https://t.me/chan"}])
    page = client_for(ngo_member).get(f"/referrals/{referral.reference}/").content.decode()
    assert referral.reference in page
    assert "someone" in page and "chan" in page
    assert "Received" in page
    assert "Withdraw referral" in page


@pytest.mark.django_db
def test_reference_must_match_exactly(client_for, ngo_member):
    referral = make_referral(ngo_member)
    client = client_for(ngo_member)
    wrong_year = f"R-1999-{referral.seq:06d}"
    assert client.get(f"/referrals/{wrong_year}/").status_code == 404
    assert client.get("/referrals/not-a-reference/").status_code == 404
    assert client.get(f"/referrals/{referral.reference.lower()}/").status_code == 200


@pytest.mark.django_db
def test_partners_see_platform_staff_as_platform_reviewer(api_for, client_for, ngo_member, reviewer):
    referral = needs_info(make_referral(ngo_member), reviewer)
    events = api_for(ngo_member).get(f"{API}{referral.id}/events/").json()
    assert [e["type"] for e in events] == ["received", "info_requested"]
    assert set(events[0]) == {"at", "type", "actor", "message"}
    assert events[1]["actor"] == "Platform reviewer"
    page = client_for(ngo_member).get(f"/referrals/{referral.reference}/").content.decode()
    assert reviewer.email not in page and reviewer.name not in page
    assert "Platform reviewer" in page
    assert api_for(reviewer).get(f"{API}{referral.id}/events/").json()[1]["actor"] == reviewer.email


@pytest.mark.django_db
def test_every_view_of_a_law_enforcement_request_is_audited(api_for, client_for, liaison, reviewer, ngo_member):
    request_ = make_referral(liaison, "removal_order")
    notice = make_referral(ngo_member)
    api_for(reviewer).get(f"{API}{request_.id}/")
    client_for(liaison).get(f"/referrals/{request_.reference}/")
    api_for(ngo_member).get(f"{API}{notice.id}/")
    views = AuditEvent.objects.filter(action="referral.view")
    assert sorted(v.actor.email for v in views) == sorted([reviewer.email, liaison.email])
    assert {v.object_id for v in views} == {str(request_.pk)}


@pytest.mark.django_db
def test_platform_staff_see_the_review_panel_partners_do_not(client_for, ngo_member, reviewer, settings):
    referral = make_referral(ngo_member)
    assert client_for(reviewer).get(f"/referrals/{referral.reference}/").status_code == 200
    assert client_for(ngo_member).get(f"/referrals/{referral.reference}/").status_code == 200


# --- Withdraw -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_submitter_withdraws_before_a_decision(api_for, ngo_member, ngo_admin):
    referral = make_referral(ngo_member)
    assert referral.status == "received"
    mail.outbox.clear()
    response = api_for(ngo_admin).post(f"{API}{referral.id}/withdraw/", {"reason": "Filed twice"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    referral.refresh_from_db()
    assert referral.status == "withdrawn" and referral.closed_at is not None
    assert TimelineEvent.objects.filter(referral=referral, type="withdrawn", message="Filed twice").exists()
    assert AuditEvent.objects.filter(action="referral.withdraw").exists()
    assert Notification.objects.filter(user=ngo_member, link=f"/referrals/{referral.reference}/").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["actioned", "no_violation", "rejected", "duplicate", "withdrawn"])
def test_a_closed_referral_cannot_be_withdrawn(api_for, ngo_member, status):
    referral = make_referral(ngo_member)
    Referral.objects.filter(pk=referral.pk).update(status=status)
    response = api_for(ngo_member).post(f"{API}{referral.id}/withdraw/", {}, format="json")
    assert response.status_code == 409
    assert Referral.objects.get(pk=referral.pk).status == status


@pytest.mark.django_db
def test_withdraw_from_the_page(client_for, ngo_member):
    referral = make_referral(ngo_member)
    response = client_for(ngo_member).post(f"/referrals/{referral.reference}/withdraw/", {"reason": ""})
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == "withdrawn"


@pytest.mark.django_db
def test_reviewers_cannot_withdraw(api_for, client_for, ngo_member, reviewer):
    referral = make_referral(ngo_member)
    assert api_for(reviewer).post(f"{API}{referral.id}/withdraw/", {}, format="json").status_code == 403
    assert client_for(reviewer).post(f"/referrals/{referral.reference}/withdraw/").status_code == 403
    assert Referral.objects.get(pk=referral.pk).status == "received"


# --- Answering a request for information ------------------------------------------------------


@pytest.mark.django_db
def test_answer_returns_it_to_routed_and_resumes_the_clock(
    api_for, ngo_member, reviewer, django_capture_on_commit_callbacks
):
    referral = needs_info(make_referral(ngo_member), reviewer, minutes_ago=30)
    due_before, paused_at = referral.due_at, referral.paused_at
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(ngo_member).post(
            f"{API}{referral.id}/messages/", {"body": "The second post."}, format="json"
        )
    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.status == "routed"
    assert referral.paused_at is None
    assert 29 * 60 <= referral.paused_seconds <= 31 * 60
    assert referral.due_at - due_before == pytest.approx(timezone.now() - paused_at, abs=timedelta(seconds=5))
    assert TimelineEvent.objects.filter(referral=referral, type="info_provided", message="The second post.").exists()
    # The organisation's one member hears of the status; the reviewer who asked, of the answer.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ngo_member.email, reviewer.email])
    message = next(m for m in mail.outbox if m.to == [ngo_member.email])
    assert referral.reference in message.subject
    assert message.alternatives and message.alternatives[0][1] == "text/html"


@pytest.mark.django_db
def test_a_message_when_nothing_was_asked_is_no_answer(api_for, ngo_member):
    # Messages both ways (SPEC §17): the submitter writes at any time until the referral closes.
    referral = make_referral(ngo_member)
    response = api_for(ngo_member).post(f"{API}{referral.id}/messages/", {"body": "Hello"}, format="json")
    assert response.status_code == 200
    assert Referral.objects.get(pk=referral.pk).status == "received"
    assert not TimelineEvent.objects.filter(referral=referral, type="info_provided").exists()


@pytest.mark.django_db
def test_an_empty_answer_is_400(api_for, ngo_member, reviewer):
    referral = needs_info(make_referral(ngo_member), reviewer)
    response = api_for(ngo_member).post(f"{API}{referral.id}/messages/", {"body": ""}, format="json")
    assert response.status_code == 400
    assert "body" in response.json()
    assert Referral.objects.get(pk=referral.pk).status == "needs_info"


@pytest.mark.django_db
def test_answer_from_the_page(client_for, ngo_member, reviewer):
    referral = needs_info(make_referral(ngo_member), reviewer)
    client = client_for(ngo_member)
    assert "asked for more information" in client.get(f"/referrals/{referral.reference}/").content.decode()
    client.post(f"/referrals/{referral.reference}/reply/", {"body": "Here it is."})
    assert Referral.objects.get(pk=referral.pk).status == "routed"


# --- Home -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_shows_referrals_by_status_with_links(client_for, ngo_member):
    make_referral(ngo_member)
    page = client_for(ngo_member).get("/").content.decode()
    assert "Your referrals" in page
    assert "/referrals/?status=received" in page
