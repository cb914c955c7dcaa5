"""Team notes and escalation reasons never reach a partner (SPEC §15, STYLE rule 14).

One story, told through the same pages and endpoints people use: reviewers write notes and
escalate an NGO's notices and an agency's requests, a lead takes them over, asks the
submitter a question and decides. Then every surface a partner reads is walked, as each
member of the submitting organisation: the referral pages and list, the home page (the
liaison's desk), the API's referral list, detail and timeline, the notifications and every
e-mail they were sent, the liaison's export and removal-order feedback (page and JSON), and
the public transparency report. Distinctive markers in each note and reason must appear for
platform roles and never there.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from portal.models import Notification
from referrals.models import Referral
from tests.referrals.review_factories import DECISION, claimed

pytestmark = pytest.mark.django_db

NOTE = "NOTEMARK-3f9a1c"
LEAD_NOTE = "LEADNOTEMARK-7b20de"
REASON = "REASONMARK-c41e88"
MARKERS = (NOTE, LEAD_NOTE, REASON)
QUESTION = "Which of the posts of this account do you mean?"
REMOVED = {
    "action": "content_removed",
    "ground": "legal",
    "policy": "Regulation (EU) 2021/784, Article 3",
    "statement_of_reasons": "The video incites terrorist offences and was removed on the order.",
}


def page(referral) -> str:
    return f"/referrals/{referral.reference}/"


def api(referral, tail: str = "") -> str:
    return f"/api/v1/referrals/{referral.id}/{tail}"


def text(response) -> str:
    assert response.status_code == 200, (response.status_code, getattr(response, "url", ""))
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def note_and_escalate(referral, tag: str, *, reviewer, client_for, api_for) -> None:
    """The reviewer notes (API) and escalates (page) the referral it holds."""
    response = api_for(reviewer).post(api(referral, "notes/"), {"body": f"{NOTE} {tag}"}, format="json")
    assert response.status_code == 201
    response = client_for(reviewer).post(f"{page(referral)}escalate/", {"reason": f"{REASON} {tag}"})
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).queue.slug == "escalations"


@pytest.fixture
def story(
    ngo_member, ngo_admin, liaison, reviewer, lead, client_for, api_for, django_capture_on_commit_callbacks, mailoutbox
):
    """Two notices and two law-enforcement requests, each noted and escalated; the lead takes
    over one of each, writes a note of its own, and decides them (the notice after asking the
    submitter a question); the other two stay open in the escalations queue."""
    lead_api, lead_page = api_for(lead), client_for(lead)
    with django_capture_on_commit_callbacks(execute=True):
        notice = claimed(reviewer, ngo_member, accounts=("ngo-decided",))
        order = claimed(
            reviewer,
            liaison,
            "removal_order",
            accounts=("le-decided",),
            received_at=timezone.now() - timedelta(minutes=5),
        )
        for referral, tag in ((notice, "notice"), (order, "order")):
            note_and_escalate(referral, tag, reviewer=reviewer, client_for=client_for, api_for=api_for)
        for _ in range(2):
            assert lead_api.post("/api/v1/queues/escalations/claim/").status_code == 200
        for referral in (notice, order):
            assert lead_page.post(f"{page(referral)}notes/", {"body": f"{LEAD_NOTE} lead"}).status_code == 302

        assert lead_api.post(api(notice, "request-info/"), {"message": QUESTION}, format="json").status_code == 200
        reply = client_for(ngo_member).post(f"{page(notice)}reply/", {"body": "The pinned post of 3 May."})
        assert reply.status_code == 302
        assert lead_api.post(api(notice, "decision/"), DECISION, format="json").status_code == 200
        assert lead_api.post(api(order, "decision/"), REMOVED, format="json").status_code == 200

        open_notice = claimed(reviewer, ngo_member, accounts=("ngo-open",))
        open_request = claimed(reviewer, liaison, "le_referral", accounts=("le-open",))
        note_and_escalate(open_notice, "open notice", reviewer=reviewer, client_for=client_for, api_for=api_for)
        note_and_escalate(open_request, "open request", reviewer=reviewer, client_for=client_for, api_for=api_for)
    return {
        "ngo": [Referral.objects.get(pk=r.pk) for r in (notice, open_notice)],
        "agency": [Referral.objects.get(pk=r.pk) for r in (order, open_request)],
    }


def referral_surfaces(user, referrals, client_for, api_for) -> dict[str, str]:
    """What `user` reads about `referrals`: pages, list, home, API, notifications, e-mails."""
    client, api_client = client_for(user), api_for(user)
    seen = {
        "home page": text(client.get("/")),
        "referral list page": text(client.get("/referrals/")),
        "API referral list": text(api_client.get("/api/v1/referrals/")),
        "notifications page": text(client.get("/notifications/")),
    }
    for referral in referrals:
        seen[f"page of {referral.reference}"] = text(client.get(page(referral)))
        seen[f"API detail of {referral.reference}"] = text(api_client.get(api(referral)))
        seen[f"API events of {referral.reference}"] = text(api_client.get(api(referral, "events/")))
        # The notes and escalation endpoints do not exist for partners.
        assert api_client.get(api(referral, "notes/")).status_code == 404
        assert client.get(f"{page(referral)}notes/").status_code == 404
    notifications = Notification.objects.filter(user=user)
    seen["notifications"] = "\n".join(f"{n.subject}\n{n.body}\n{n.link}" for n in notifications)
    messages = [m for m in mail.outbox if user.email in m.to]
    seen["e-mails"] = "\n".join(
        "\n".join([m.subject, m.body, *(content for content, _type in m.alternatives)]) for m in messages
    )
    assert notifications.exists() and messages, "the story told the submitter things: the walk must read them"
    return seen


def public_surfaces(client) -> dict[str, str]:
    today = timezone.localdate()
    period = {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()}
    return {
        "transparency page": text(client.get("/transparency/")),
        "transparency CSV": text(client.get("/transparency/report.csv")),
        "transparency JSON": text(client.get("/transparency/report.json")),
        "transparency API": text(client.get("/api/v1/stats/transparency/", period)),
    }


def assert_nothing_internal(seen: dict[str, str]) -> None:
    for surface, content in seen.items():
        for marker in MARKERS:
            assert marker not in content, f"{marker} leaked into the {surface}"


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin"])
def test_no_note_or_reason_reaches_the_ngo(request, persona, story, client_for, api_for):
    user = request.getfixturevalue(persona)

    seen = referral_surfaces(user, story["ngo"], client_for, api_for)
    seen |= public_surfaces(client_for(user))

    assert_nothing_internal(seen)
    for surface, content in seen.items():
        if "transparency" not in surface:  # the report names queues, which is public
            assert "scalat" not in content, f"the escalation shows in the {surface}"
    assert QUESTION in seen[f"page of {story['ngo'][0].reference}"]  # the walk reads the real timeline


def test_no_note_or_reason_reaches_the_liaison(story, liaison, client_for, api_for):
    order = story["agency"][0]
    client, api_client = client_for(liaison), api_for(liaison)

    seen = referral_surfaces(liaison, story["agency"], client_for, api_for)
    seen |= {
        "liaison's export": text(client.get("/referrals/export.csv")),
        "feedback page": text(client.get(f"{page(order)}feedback/")),
        "feedback JSON": text(client.get(f"{page(order)}feedback.json")),
        "API feedback": text(api_client.get(api(order, "feedback/"))),
    }
    seen |= public_surfaces(client)

    assert_nothing_internal(seen)
    for surface, content in seen.items():
        if "transparency" not in surface:
            assert "scalat" not in content, f"the escalation shows in the {surface}"
    assert order.reference in seen["liaison's export"]


def test_the_other_ngo_reads_nothing_of_it_either(story, other_ngo_member, client_for, api_for):
    client, api_client = client_for(other_ngo_member), api_for(other_ngo_member)
    for referral in story["ngo"]:
        assert client.get(page(referral)).status_code == 404
        assert api_client.get(api(referral, "events/")).status_code == 404
        assert api_client.get(api(referral, "notes/")).status_code == 404
    assert_nothing_internal({"home page": text(client.get("/")), "list": text(client.get("/referrals/"))})


@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_platform_roles_read_every_note_and_reason(request, persona, story, client_for, api_for):
    user = request.getfixturevalue(persona)
    client, api_client = client_for(user), api_for(user)

    for referral in [*story["ngo"], *story["agency"]]:
        html = text(client.get(page(referral)))
        events = text(api_client.get(api(referral, "events/")))
        notes = text(api_client.get(api(referral, "notes/")))
        assert NOTE in html and NOTE in notes
        assert REASON in html and REASON in events
    decided = story["ngo"][0]
    assert LEAD_NOTE in text(api_client.get(api(decided, "notes/")))
    assert LEAD_NOTE in text(client.get(page(decided)))


def test_the_leads_are_told_without_the_reason(story, lead):
    messages = [m for m in mail.outbox if lead.email in m.to]
    alerts = Notification.objects.filter(user=lead, subject__contains="Escalated")

    assert len(messages) >= 4 and alerts.count() == 4
    for message in messages:
        assert_nothing_internal({"lead's e-mail": message.body + message.subject})
