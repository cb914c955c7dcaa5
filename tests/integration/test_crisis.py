"""SPEC §18 surge routing on real PostgreSQL, Redis and a celery worker: with an incident
declared through the API, 2,000 referrals filed through the API, a tenth of them matching it (by URL, by
subject, by keyword), are all routed by the worker to the right queues — the matching ones to
the incident's queue, except legal kinds, which keep theirs — and the counts are exact.

An NGO files 1,900 notices as one bulk job (`POST /api/v1/referrals/bulk/`); an agency files
100 referrals one `POST /api/v1/referrals/` at a time. Among the notices that do not match are
near misses: a longer word than the keyword, an account whose handle contains the attacker's,
the incident's post number on another platform.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from referrals.models import Incident, Kind, Referral, Status
from tests.integration.conftest import wait_until
from tests.referrals.factories import referral_data

pytestmark = pytest.mark.integration

ATTACK_POST = "https://x.com/attacker/status/555"
KEYWORD = "harbour manifesto"
QUEUE = "incident-harbour-attack"
TOTAL = 2_000


def _notice(n: int, *, targets=None, explanation=None, category="other") -> dict:
    return referral_data(
        category=category,
        severity="low",
        targets=targets or [{"platform": "x", "account": f"ordinary_{n}"}],
        explanation=explanation or f"Account {n} reposts recruitment material for a proscribed organisation.",
    )


def _ngo_items() -> tuple[list[dict], Counter]:
    """1,900 notices and where each kind of them should go."""
    items, expected = [], Counter()

    def add(queue: str, count: int, make) -> None:
        for _ in range(count):
            items.append(make(len(items)))
        expected[queue] += count

    # Matching, 155: the incident's post under its own and another address, its subject, its keyword.
    add(QUEUE, 40, lambda n: _notice(n, targets=[{"url": ATTACK_POST}]))
    add(QUEUE, 20, lambda n: _notice(n, targets=[{"url": "https://twitter.com/attacker/status/555?s=20"}]))
    add(
        QUEUE,
        50,
        lambda n: _notice(
            n, targets=[{"platform": "x", "account": f"other_{n}"}, {"platform": "X", "account": "@Attacker"}]
        ),
    )
    add(
        QUEUE,
        45,
        lambda n: _notice(n, explanation=f"Notice {n}: this channel reposts the Harbour Manifesto, PDF and video."),
    )
    # Near misses, 150: routed as usual.
    add(
        "general", 50, lambda n: _notice(n, explanation=f"Notice {n}: harbour manifestos of old movements, historical.")
    )
    add("general", 50, lambda n: _notice(n, targets=[{"platform": "x", "account": "attacker_fan"}]))
    add("general", 50, lambda n: _notice(n, targets=[{"url": "https://t.me/somechannel/555"}]))
    # Ordinary notices, 1,595: two rules' queues.
    add("general", 800, lambda n: _notice(n))
    add("violent-extremism", 795, lambda n: _notice(n, category="propaganda"))
    return items, expected


def _agency_bodies() -> tuple[list[dict], Counter]:
    """100 referrals of an agency: removal orders (a legal kind) and law-enforcement referrals;
    20 of the orders and 25 of the referrals name the incident."""
    bodies, expected = [], Counter()
    for n in range(50):
        url = ATTACK_POST if n < 20 else f"https://x.com/elsewhere_{n}/status/{n}"
        bodies.append(
            referral_data(Kind.REMOVAL_ORDER, category="terrorist_recruitment", severity="high", targets=[{"url": url}])
        )
        expected["legal-orders"] += 1  # matching or not: a legal kind keeps its queue
    for n in range(50):
        target = {"platform": "x", "account": "attacker"} if n < 25 else {"platform": "x", "account": f"suspect_{n}"}
        bodies.append(referral_data(Kind.LE_REFERRAL, category="other", severity="low", targets=[target]))
        expected[QUEUE if n < 25 else "le-referrals"] += 1
    return bodies, expected


def test_two_thousand_referrals_filed_during_an_incident_are_routed_to_the_right_queues(
    routing_table, worker, api_for, policy, other_ngo_member, liaison
):
    declared = api_for(policy).post(
        "/api/v1/incidents/",
        {
            "title": "Harbour attack",
            "summary": "An attack at the harbour was streamed live; its recording and a manifesto are spreading.",
            "level": 1,
            "keywords": [KEYWORD],
            "urls": [ATTACK_POST],
        },
        format="json",
    )
    assert declared.status_code == 201, declared.content[:500]
    assert (declared.json()["status"], declared.json()["queue"]) == ("active", QUEUE)
    harbour = Incident.objects.get(slug=declared.json()["slug"])
    items, expected = _ngo_items()
    bodies, agency_expected = _agency_bodies()
    expected += agency_expected
    assert len(items) + len(bodies) == TOTAL
    assert expected[QUEUE] + 20 == TOTAL // 10  # a tenth matches: 180 in the incident's queue, 20 removal orders

    started = time.monotonic()
    ngo = api_for(other_ngo_member)
    response = ngo.post("/api/v1/referrals/bulk/", {"items": items}, format="json")
    assert response.status_code == 202, response.content[:500]
    job_url = f"/api/v1/jobs/{response.json()['job']}/"
    agency = api_for(liaison)
    for body in bodies:
        response = agency.post("/api/v1/referrals/", body, format="json")
        assert response.status_code == 201, response.content[:500]

    job = wait_until(lambda: (r := ngo.get(job_url).json())["status"] in ("done", "failed") and r, 180, 0.5)
    assert (job["status"], job["created"], job["failed"]) == ("done", len(items), 0), job["errors"][:3]
    wait_until(
        lambda: Referral.objects.count() == TOTAL and not Referral.objects.filter(status=Status.RECEIVED).exists(),
        180,
        0.5,
    )
    print(f"\n{TOTAL:,} referrals filed and routed in {time.monotonic() - started:.1f}s")

    assert Referral.objects.filter(status=Status.ROUTED).count() == TOTAL
    queues = Counter(Referral.objects.values_list("queue__slug", flat=True))
    assert queues == expected
    in_incident = Referral.objects.filter(incident=harbour)
    assert in_incident.count() == TOTAL // 10
    assert in_incident.filter(queue__slug="legal-orders", kind=Kind.REMOVAL_ORDER).count() == 20
    assert in_incident.filter(queue__slug=QUEUE).count() == expected[QUEUE]
    assert not Referral.objects.filter(queue__slug=QUEUE, incident__isnull=True).exists()
    # Each has the level's 60 points and says why; the rest say nothing of the incident.
    for referral in in_incident.only("kind", "priority", "routing_reasons"):
        assert any(r.startswith("Matches incident Harbour attack: ") for r in referral.routing_reasons)
        assert referral.routing_reasons[-2].endswith("+ incident 60")
    assert not any(
        "incident" in reason.casefold()
        for reasons in Referral.objects.filter(incident__isnull=True).values_list("routing_reasons", flat=True)
        for reason in reasons
    )
