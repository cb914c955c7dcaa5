"""A small fixed data set for the leads' insights (SPEC §15), with every figure worked out by
hand below, so the tests compare the code with arithmetic rather than with itself.

Period: 10 and 11 March 2025 (UTC). Two queues are used: `trusted-flaggers` (SLA 12 h;
notices from a trusted flagger) and `general` (its SLA set to 60 min here; notices from an NGO
that is not one). Every referral names its own account, so no decision closes another.

trusted-flaggers (SLA 720 min)
  A  received 10 Mar 08:00, decided by Amal 09:00   →   60 min, on time
  B  received 10 Mar 08:00, decided by Amal 09:30   →   90 min, on time
  C  received 10 Mar 08:30, decided by Bo   10:15   →  105 min, on time
  D  received  9 Mar 06:00, decided by Bo   10 Mar 10:30 → 1710 min, late (due 9 Mar 18:00)
  E  received 11 Mar 07:00, open (routed)
  F  received 11 Mar 07:30, open (claimed by Amal)
  G  received 10 Mar 12:00, withdrawn 11 Mar 09:00
  arrivals 6 (A B C E F G; D came before the period) · decided 4 · backlog 2 (E F)
  median (90 + 105) / 2 = 97.5 · within SLA 3/4 = 0.75
  active hours {10 Mar 09h, 10 Mar 10h} = 2 → 4 / 2 = 2.0 an hour · clear 2 / 2.0 = 1.0 h
  reviewer-hours: Amal {09h}, Bo {10h} = 2 → 2 per reviewer-hour; 12 h SLA → 24 each
  reviewers needed ceil(2 / 24) = 1

general (SLA 60 min)
  H  received 10 Mar 13:00, decided by Amal 13:20   →   20 min, on time
  I  received 10 Mar 13:00, decided by Amal 11 Mar 14:10 → 1510 min, late
  J  received 11 Mar 10:00, decided by Bo   10:40   →   40 min, on time
  K L M  received 11 Mar 11:00, open (routed)
  N  received 11 Mar 11:00, claimed by Bo, information requested (needs_info)
  arrivals 7 · decided 3 · backlog 4 (K L M N) · median 40 · within SLA 2/3 = 0.667
  active hours {10 Mar 13h, 11 Mar 10h, 11 Mar 14h} = 3 → 1.0 an hour · clear 4 / 1.0 = 4.0 h
  reviewer-hours: Amal {10 Mar 13h, 11 Mar 14h}, Bo {11 Mar 10h} = 3 → 1 per reviewer-hour;
  1 h SLA → 1 each · reviewers needed ceil(4 / 1) = 4

Every other queue: nothing (rates, forecasts and reviewers needed null).

Reviewers
  Amal  decided A B H I = 4 in hours {10 Mar 09h, 10 Mar 13h, 11 Mar 14h} → 1.33; revealed 5 + 2 = 7
  Bo    decided C D J = 3 in hours {10 Mar 10h, 11 Mar 10h} → 1.5; revealed 0 in the period (9 on 12 Mar)
  Cy    (policy staff) decided nothing; revealed 3 on 11 Mar

Per day: decided 10 Mar 5 (A B C D H), 11 Mar 2 (I J).
Backlog at the end of 10 Mar: G (withdrawn later) and I (decided later) = 2;
at the end of 11 Mar: E F K L M N = 6.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from partners.models import Role
from referrals.models import ExposureDay, Queue, Referral
from referrals.review.services.claims import referral_claim, referral_request_info
from referrals.review.services.decisions import referral_decide
from tests.factories import OrganisationFactory, make_member
from tests.referrals.review_factories import DECISION, routed

START, END = date(2025, 3, 10), date(2025, 3, 11)
PARAMS = {"start": "2025-03-10", "end": "2025-03-11"}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


EXPECTED_QUEUES = {
    "trusted-flaggers": {
        "slug": "trusted-flaggers",
        "arrivals": 6,
        "decided": 4,
        "backlog": 2,
        "median_minutes_to_decision": 97.5,
        "sla_met_share": 0.75,
        "decisions_per_hour": 2.0,
        "forecast_clear_hours": 1.0,
        "reviewers_needed": 1,
    },
    "general": {
        "slug": "general",
        "arrivals": 7,
        "decided": 3,
        "backlog": 4,
        "median_minutes_to_decision": 40.0,
        "sla_met_share": 0.667,
        "decisions_per_hour": 1.0,
        "forecast_clear_hours": 4.0,
        "reviewers_needed": 4,
    },
}
EMPTY_QUEUE = {
    "arrivals": 0,
    "decided": 0,
    "backlog": 0,
    "median_minutes_to_decision": None,
    "sla_met_share": None,
    "decisions_per_hour": None,
    "forecast_clear_hours": None,
    "reviewers_needed": None,
}
EXPECTED_REVIEWERS = [
    {"name": "Amal Reviewer", "decided": 4, "decisions_per_hour": 1.33, "reveals": 7},
    {"name": "Bo Reviewer", "decided": 3, "decisions_per_hour": 1.5, "reveals": 0},
    {"name": "Cy Policy", "decided": 0, "decisions_per_hour": None, "reveals": 3},
]
EXPECTED_DECISIONS_PER_DAY = [(date(2025, 3, 10), 5), (date(2025, 3, 11), 2)]
EXPECTED_BACKLOG_PER_DAY = [(date(2025, 3, 10), 2), (date(2025, 3, 11), 6)]


def _named(user, name: str):
    user.name = name
    user.save(update_fields=["name"])
    return user


def _decide(by, referral: Referral, when: datetime) -> Referral:
    if referral.assignee_id is None:
        referral.queue.members.add(by)
        referral = referral_claim(by=by, referral=referral)
    referral_decide(by=by, referral=referral, now=when, **{**DECISION, "apply_to_subject": False})
    referral.refresh_from_db()
    return referral


def build(trusted_member, platform) -> dict:
    """The data set above; returns the people and the referrals by letter."""
    amal = _named(make_member(platform, Role.REVIEWER), "Amal Reviewer")
    bo = _named(make_member(platform, Role.REVIEWER), "Bo Reviewer")
    cy = _named(make_member(platform, Role.POLICY_STAFF), "Cy Policy")
    plain = make_member(OrganisationFactory(trusted_flagger=False), Role.NGO_MEMBER)
    Queue.objects.filter(slug="general").update(sla_minutes=60)

    def tf(letter: str, received_at: datetime) -> Referral:
        return routed(trusted_member, accounts=(f"tf_{letter}",), received_at=received_at)

    def gen(letter: str, received_at: datetime) -> Referral:
        return routed(plain, accounts=(f"gen_{letter}",), received_at=received_at)

    r = {
        "A": tf("a", at(10, 8)),
        "B": tf("b", at(10, 8)),
        "C": tf("c", at(10, 8, 30)),
        "D": tf("d", at(9, 6)),
        "E": tf("e", at(11, 7)),
        "F": tf("f", at(11, 7, 30)),
        "G": tf("g", at(10, 12)),
        "H": gen("h", at(10, 13)),
        "I": gen("i", at(10, 13)),
        "J": gen("j", at(11, 10)),
        "K": gen("k", at(11, 11)),
        "L": gen("l", at(11, 11)),
        "M": gen("m", at(11, 11)),
        "N": gen("n", at(11, 11)),
    }
    assert {x.queue.slug for k, x in r.items() if k < "H"} == {"trusted-flaggers"}
    assert {x.queue.slug for k, x in r.items() if k >= "H"} == {"general"}
    for letter, who, when in (
        ("A", amal, at(10, 9)),
        ("B", amal, at(10, 9, 30)),
        ("C", bo, at(10, 10, 15)),
        ("D", bo, at(10, 10, 30)),
        ("H", amal, at(10, 13, 20)),
        ("I", amal, at(11, 14, 10)),
        ("J", bo, at(11, 10, 40)),
    ):
        r[letter] = _decide(who, r[letter], when)
    r["F"].queue.members.add(amal)
    referral_claim(by=amal, referral=r["F"])
    r["N"].queue.members.add(bo)
    referral_claim(by=bo, referral=r["N"])
    referral_request_info(by=bo, referral=Referral.objects.get(pk=r["N"].pk), message="Which post do you mean?")
    from referrals.intake.services.filing import referral_withdraw

    referral_withdraw(referral=r["G"], user=trusted_member)
    Referral.objects.filter(pk=r["G"].pk).update(closed_at=at(11, 9))
    ExposureDay.objects.bulk_create(
        [
            ExposureDay(user=amal, day=date(2025, 3, 10), reveals=5, downloads=1),
            ExposureDay(user=amal, day=date(2025, 3, 11), reveals=2),
            ExposureDay(user=bo, day=date(2025, 3, 12), reveals=9),
            ExposureDay(user=bo, day=date(2025, 3, 9), reveals=4),
            ExposureDay(user=cy, day=date(2025, 3, 11), reveals=3),
        ]
    )
    return {"amal": amal, "bo": bo, "cy": cy, "plain": plain, "referrals": r}
