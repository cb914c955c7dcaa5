"""Declaring and closing incidents, their counts and the after-action report (SPEC §18).

Referrals are matched to an incident by routing (tests/referrals/crisis/test_surge_routing.py);
here they are filed, then given their incident and times directly, so every figure is known.
"""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from partners.models import Role
from portal.errors import NotAllowed, TransitionError
from portal.models import AuditEvent
from referrals.crisis.selectors import incident_counts, incident_report, incident_report_csv, incidents_counts
from referrals.crisis.services.incidents import IncidentInvalid, incident_close, incident_declare
from referrals.models import Incident, IncidentStatus, Queue, Referral, Status, Subject
from tests.factories import make_member
from tests.referrals.crisis.factories import incident as make_incident
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

SUMMARY = "A gunman streamed an attack on a mosque; copies of the video and his manifesto are spreading."


def declare(by, **overrides):
    fields = {
        "title": "Attack in Lyon",
        "summary": SUMMARY,
        "level": 1,
        "keywords": ["manifesto"],
        "urls": ["https://x.com/attacker/status/1"],
    }
    fields.update(overrides)
    return incident_declare(by=by, **fields)


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, 10, hour, minute, second, tzinfo=UTC)


def matched(user, incident, *, received, decided=None, status=Status.ROUTED) -> Referral:
    """A referral filed by `user`, then placed in `incident` with the given times."""
    referral = make_referral(user)
    Referral.objects.filter(pk=referral.pk).update(
        incident=incident, queue=incident.queue, received_at=received, decided_at=decided, status=status
    )
    return Referral.objects.get(pk=referral.pk)


# --- Declaring ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["policy", "lead"])
def test_policy_staff_and_leads_declare_an_incident_with_its_fields(request, persona):
    by = request.getfixturevalue(persona)
    assert Incident.objects.count() == 0

    incident = declare(
        by,
        title="  Attack in Lyon \u202e ",
        level="2",
        keywords=[" Manifesto ", "manifesto", "Great Replacement", "MANIFESTO"],
        urls=["HTTPS://Twitter.com/Attacker/status/1?s=20", "https://x.com/attacker/status/1", "https://t.me/spreader"],
    )

    incident.refresh_from_db()
    assert incident.slug == "attack-in-lyon"
    assert incident.title == "Attack in Lyon"
    assert incident.summary == SUMMARY
    assert incident.level == 2
    assert incident.status == IncidentStatus.ACTIVE
    assert incident.keywords == ["Manifesto", "Great Replacement"]
    # The second URL names the same post as the first, once normalised: kept once.
    assert incident.urls == ["HTTPS://Twitter.com/Attacker/status/1?s=20", "https://t.me/spreader"]
    assert incident.targets == [
        {"url": "https://twitter.com/Attacker/status/1", "platform": "x", "account": "attacker", "content_id": "1"},
        {"url": "https://t.me/spreader", "platform": "telegram", "account": "spreader", "content_id": ""},
    ]
    assert sorted((s.platform, s.account) for s in incident.subjects.all()) == [
        ("telegram", "spreader"),
        ("x", "attacker"),
    ]
    assert incident.declared_by == by
    assert incident.closed_at is None
    entry = AuditEvent.objects.get(action="incident.declare")
    assert (entry.actor, entry.object_id) == (by, str(incident.pk))
    assert entry.data["queue"] == "incident-attack-in-lyon"


def test_an_account_already_known_is_the_subject_intake_knows(policy, ngo_member):
    referral = make_referral(ngo_member, targets=[{"url": "https://x.com/attacker"}])
    known = referral.targets.get().subject

    incident = declare(policy, urls=["https://x.com/Attacker/status/9"])

    assert list(incident.subjects.all()) == [known]
    assert Subject.objects.filter(platform="x", account="attacker").count() == 1


def test_the_incident_gets_its_queue_with_every_active_queue_lead_as_member(policy, lead, platform, reviewer):
    other_lead = make_member(platform, Role.QUEUE_LEAD)
    gone = make_member(platform, Role.QUEUE_LEAD)
    gone.is_active = False
    gone.save()

    incident = declare(policy)

    queue = Queue.objects.get(slug="incident-attack-in-lyon")
    assert incident.queue == queue
    assert queue.name == "Incident: Attack in Lyon"
    assert set(queue.members.all()) == {lead, other_lead}


@pytest.mark.parametrize(("level", "minutes"), [(1, 60), (2, 120), (3, 240)])
def test_the_queue_deadline_follows_the_level(policy, level, minutes):
    assert declare(policy, level=level).queue.sla_minutes == minutes


def test_keywords_alone_or_urls_alone_are_enough(policy):
    assert declare(policy, urls=[]).keywords == ["manifesto"]
    assert declare(policy, keywords=None).targets[0]["account"] == "attacker"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Attack in Lyon", "attack-in-lyon-2"),  # the first took the plain slug
        ("New", "new-incident"),  # /incidents/new/ is the form
        ("هجوم في ليون", "incident"),  # nothing of the title is left
        ("A very long title " * 10, "a-very-long-title-a-very-long-title-a-very-lon"),  # room for "-2"
    ],
)
def test_the_slug_comes_from_the_title_and_is_unique(policy, title, slug):
    declare(policy)
    incident = declare(policy, title=title)
    assert incident.slug == slug
    assert len(incident.slug) <= 50
    assert incident.queue.slug == f"incident-{slug}"


def test_a_slug_whose_queue_name_is_taken_is_not_used(policy):
    Queue.objects.create(slug="incident-attack-in-lyon", name="Left over", sla_minutes=60)
    assert declare(policy).slug == "attack-in-lyon-2"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": None}, "title"),
        ({"title": "ab"}, "title"),
        ({"title": "\u200b\u202eab\u2066"}, "title"),  # format characters do not count
        ({"title": "x" * 201}, "title"),
        ({"title": ["a list"]}, "title"),
        ({"title": "A \x00 NUL"}, "title"),
        ({"summary": None}, "summary"),
        ({"summary": "Too short to act on"}, "summary"),
        ({"summary": "x" * 5001}, "summary"),
        ({"level": None}, "level"),
        ({"level": 0}, "level"),
        ({"level": 4}, "level"),
        ({"level": True}, "level"),
        ({"level": "high"}, "level"),
        ({"level": 1.5}, "level"),
        ({"keywords": "manifesto"}, "keywords"),
        ({"keywords": ["fine", ""]}, "keywords"),
        ({"keywords": ["fine", 12]}, "keywords"),
        ({"keywords": ["x" * 101]}, "keywords"),
        ({"keywords": [f"word {n}" for n in range(51)]}, "keywords"),
        ({"urls": "https://x.com/attacker"}, "urls"),
        ({"urls": ["https://x.com/fine", "not a url"]}, "urls"),
        ({"urls": ["ftp://x.com/attacker"]}, "urls"),
        ({"urls": ["https://x.com/"]}, "urls"),  # names no account nor post
        ({"urls": [{"url": "https://x.com/attacker"}]}, "urls"),
        ({"urls": [f"https://x.com/user{n}" for n in range(101)]}, "urls"),
        ({"keywords": [], "urls": []}, "non_field_errors"),
        ({"keywords": None, "urls": None}, "non_field_errors"),
    ],
)
def test_each_invalid_field_is_refused_on_that_field_and_nothing_is_stored(policy, overrides, field):
    queues = Queue.objects.count()
    with pytest.raises(IncidentInvalid) as refused:
        declare(policy, **overrides)
    assert list(refused.value.errors) == [field]
    assert refused.value.status_code == 400
    assert Incident.objects.count() == 0
    assert Queue.objects.count() == queues
    assert not AuditEvent.objects.filter(action="incident.declare").exists()


def test_a_refused_url_is_named_by_its_position_and_value(policy):
    with pytest.raises(IncidentInvalid) as refused:
        declare(policy, urls=["https://x.com/fine", "ftp://x.com/attacker"])
    (message,) = refused.value.errors["urls"]
    assert message.startswith("Item 2 (“ftp://x.com/attacker”): ")
    assert "http" in message


@pytest.mark.parametrize("persona", ["reviewer", "ngo_member", "liaison"])
def test_others_may_not_declare(request, persona):
    with pytest.raises(NotAllowed):
        declare(request.getfixturevalue(persona))
    assert Incident.objects.count() == 0


# --- Closing ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["policy", "lead"])
def test_closing_ends_the_incident_and_keeps_its_queue_and_referrals(request, persona, ngo_member):
    by = request.getfixturevalue(persona)
    incident = declare(by)
    referral = matched(ngo_member, incident, received=timezone.now())
    assert incident.status == IncidentStatus.ACTIVE

    closed = incident_close(by=by, incident=incident)

    incident.refresh_from_db()
    assert closed.status == incident.status == IncidentStatus.CLOSED
    assert incident.closed_by == by
    assert timezone.now() - incident.closed_at < timedelta(seconds=5)
    referral.refresh_from_db()
    assert (referral.queue, referral.incident, referral.status) == (incident.queue, incident, Status.ROUTED)
    assert Queue.objects.filter(slug=incident.queue.slug).exists()
    entry = AuditEvent.objects.get(action="incident.close")
    assert entry.actor == by
    assert entry.data["referrals"] == 1


def test_closing_twice_is_refused(policy):
    incident = declare(policy)
    incident_close(by=policy, incident=incident)
    with pytest.raises(TransitionError):
        incident_close(by=policy, incident=incident)
    assert AuditEvent.objects.filter(action="incident.close").count() == 1


@pytest.mark.parametrize("persona", ["reviewer", "ngo_member"])
def test_others_may_not_close(request, persona, policy):
    incident = declare(policy)
    with pytest.raises(NotAllowed):
        incident_close(by=request.getfixturevalue(persona), incident=incident)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACTIVE


# --- Counts -------------------------------------------------------------------------------------------------


def test_counts_are_the_incidents_referrals_decided_actioned_and_the_median_time(ngo_member):
    incident = make_incident(keywords=["manifesto"])
    other = make_incident(keywords=["other"])
    assert incident_counts(incident) == {
        "referrals": 0,
        "decided": 0,
        "actioned": 0,
        "median_minutes_to_decision": None,
    }
    matched(ngo_member, incident, received=at(9, 30), decided=at(10, 15, 30), status=Status.ACTIONED)  # 45.5
    matched(ngo_member, incident, received=at(9, 45), decided=at(11, 5), status=Status.NO_VIOLATION)  # 80
    matched(ngo_member, incident, received=at(10, 5), decided=at(10, 50), status=Status.ACTIONED)  # 45
    matched(ngo_member, incident, received=at(11, 30))
    matched(ngo_member, other, received=at(9, 0), decided=at(9, 1), status=Status.ACTIONED)
    make_referral(ngo_member)  # in no incident

    assert incident_counts(incident) == {
        "referrals": 4,
        "decided": 3,
        "actioned": 2,
        "median_minutes_to_decision": 45.5,
    }
    assert incident_counts(other)["median_minutes_to_decision"] == 1.0


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two_rounded(ngo_member):
    incident = make_incident(keywords=["manifesto"])
    matched(ngo_member, incident, received=at(9), decided=at(9, 10), status=Status.ACTIONED)
    matched(ngo_member, incident, received=at(9), decided=at(9, 20, 20), status=Status.ACTIONED)
    assert incident_counts(incident)["median_minutes_to_decision"] == 15.2  # (10 + 20⅓) / 2


def test_the_counts_of_many_incidents_cost_a_fixed_number_of_queries(ngo_member, django_assert_max_num_queries):
    incidents = [make_incident(keywords=[f"word{n}"]) for n in range(5)]
    for n, incident in enumerate(incidents):
        for _ in range(n):
            matched(ngo_member, incident, received=at(9), decided=at(9, 30), status=Status.ACTIONED)

    # The grouped counts (with the median on PostgreSQL), and elsewhere the decision times.
    with django_assert_max_num_queries(2):
        counts = incidents_counts(incidents)

    assert [counts[i.pk]["referrals"] for i in incidents] == [0, 1, 2, 3, 4]
    assert [counts[i.pk]["median_minutes_to_decision"] for i in incidents] == [None, 30.0, 30.0, 30.0, 30.0]


# --- The after-action report ----------------------------------------------------------------------------------


@pytest.fixture
def reported(policy, ngo_member, bulletins):
    """An incident declared at 09:20 and closed at 12:10 (UTC), with four referrals and a bulletin."""
    incident = make_incident(title="Attack in Lyon", keywords=["manifesto"], declared_at=at(9, 20), declared_by=policy)
    matched(ngo_member, incident, received=at(9, 30), decided=at(10, 15, 30), status=Status.ACTIONED)
    matched(ngo_member, incident, received=at(9, 45), decided=at(11, 5), status=Status.NO_VIOLATION)
    matched(ngo_member, incident, received=at(10, 5), decided=at(10, 50), status=Status.ACTIONED)
    matched(ngo_member, incident, received=at(11, 30))
    bulletins(incident, at(9, 40), recipients=12)
    incident_close(by=policy, incident=incident)
    Incident.objects.filter(pk=incident.pk).update(closed_at=at(12, 10))
    incident.refresh_from_db()
    return incident


@pytest.fixture
def bulletins():
    from referrals.models import Bulletin

    def post(incident, when, *, recipients):
        return Bulletin.objects.create(
            incident=incident, body="Report copies of the video.", posted_at=when, recipients=recipients
        )

    return post


def test_the_report_counts_each_hour_from_the_declaration_to_the_close(reported):
    report = incident_report(reported)

    assert report["counts"] == {"referrals": 4, "decided": 3, "actioned": 2, "median_minutes_to_decision": 45.5}
    assert (report["declared_at"], report["closed_at"], report["until"]) == (at(9, 20), at(12, 10), at(12, 10))
    assert report["by_hour"] == [
        {"hour": at(9), "received": 2, "decided": 0, "actioned": 0},
        {"hour": at(10), "received": 1, "decided": 2, "actioned": 2},
        {"hour": at(11), "received": 1, "decided": 1, "actioned": 0},
        {"hour": at(12), "received": 0, "decided": 0, "actioned": 0},
    ]


def test_the_report_timeline_tells_the_incident_in_order(reported):
    timeline = incident_report(reported)["timeline"]
    assert [(e["at"], e["event"]) for e in timeline] == [
        (at(9, 20), "declared"),
        (at(9, 30), "first_referral"),
        (at(9, 40), "bulletin"),
        (at(10, 15, 30), "first_decision"),
        (at(12, 10), "closed"),
    ]
    assert timeline[0]["what"] == "Declared at level 1."
    assert timeline[2]["what"] == "Bulletin sent to 12 partner members."


def test_an_active_incidents_report_runs_to_now(ngo_member):
    incident = make_incident(keywords=["manifesto"], declared_at=at(9, 20))
    matched(ngo_member, incident, received=at(9, 30))
    report = incident_report(incident, now=at(11, 59))
    assert report["until"] == at(11, 59)
    assert [h["hour"] for h in report["by_hour"]] == [at(9), at(10), at(11)]
    assert [e["event"] for e in report["timeline"]] == ["declared", "first_referral"]


def test_hours_outside_the_declared_span_are_kept_so_the_hours_add_up(ngo_member):
    incident = make_incident(keywords=["manifesto"], declared_at=at(9, 20))
    matched(ngo_member, incident, received=at(8, 59), decided=at(13, 1), status=Status.ACTIONED)
    report = incident_report(incident, now=at(10, 0))
    assert [h["hour"] for h in report["by_hour"]] == [at(8), at(9), at(10), at(11), at(12), at(13)]
    assert sum(h["received"] for h in report["by_hour"]) == report["counts"]["referrals"] == 1
    assert sum(h["decided"] for h in report["by_hour"]) == 1


def test_the_report_csv_has_a_section_column(reported):
    rows = list(csv.reader(io.StringIO(incident_report_csv(incident_report(reported)))))
    assert rows[0] == [
        "section",
        "at",
        "received",
        "decided",
        "actioned",
        "median_minutes_to_decision",
        "event",
        "what",
    ]
    assert rows[1] == ["total", "2026-03-10T09:20:00+00:00", "4", "3", "2", "45.5", "", ""]
    assert rows[2:6] == [
        ["hour", "2026-03-10T09:00:00+00:00", "2", "0", "0", "", "", ""],
        ["hour", "2026-03-10T10:00:00+00:00", "1", "2", "2", "", "", ""],
        ["hour", "2026-03-10T11:00:00+00:00", "1", "1", "0", "", "", ""],
        ["hour", "2026-03-10T12:00:00+00:00", "0", "0", "0", "", "", ""],
    ]
    assert [r[0] for r in rows[6:]] == ["timeline"] * 5
    assert rows[-1] == [
        "timeline",
        "2026-03-10T12:10:00+00:00",
        "",
        "",
        "",
        "",
        "closed",
        "Closed; routing stopped matching referrals to it.",
    ]
