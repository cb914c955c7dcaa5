"""A fixed set of referrals for the transparency tests, with every figure worked out by hand.

Rows are written directly (not through the referral services) so that received, decided and
due times, pauses and breach flags are exactly what the hand computation below assumes.
The period is the first quarter of 2026; four referrals sit just outside it.

    kind            status / decision (minutes to decide; queue)
    notice N1..N6   actioned: N1 N2 account_suspended, N3..N6 content_removed
                    (10, 20, 30, 40, 50, and 1500 with a 120-minute pause → 1380; violent-extremism,
                    due 1440 after receipt plus pauses, all on time)
    notice N7       no_violation (no_action) after 2000, late and breached; violent-extremism
    notice N8 N9    withdrawn; general
    notice N10      duplicate; violent-extremism
    notice N11      open, breached; general; received 31 Mar 23:59:59
    removal R1..R6  decided after 30 (on_time recorded), 59, 60 (on_time unset, by due_at),
                    90 (on_time False, breached), 45 with a 30-minute pause (rejected,
                    unable_to_comply), 120 with a 60-minute pause (on_time True); legal-orders
    removal R7      open, breached;  R8 open, not breached;  R9 withdrawn
    le_referral L1..L3  actioned account_suspended after 100, 200, 300; le-referrals
    preservation P1 open; preservation

Subjects: N1, N2, L1, L2 suspend one account each, L3 two (six accounts); one account is
suspended by a referral outside the period and one is not suspended.
"""

from datetime import UTC, date, datetime, timedelta

from referrals.models import Action, Decision, Ground, Queue, Referral, Subject

START, END = date(2026, 1, 1), date(2026, 3, 31)
TODAY = date(2026, 6, 1)

ORGANISATION_NAMES = ("Peace Voices Test", "Test Police Unit")
ACCOUNTS = (
    "hyper_amplifier_one",
    "hyper_amplifier_two",
    "cell_recruiter",
    "cell_recruiter_2",
    "north_cell",
    "north_cell_b",
)


def at(month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def make(
    organisation,
    kind: str,
    category: str,
    status: str,
    received_at: datetime,
    *,
    queue: str | None = None,
    decided_after: float | None = None,
    sla: int | None = None,
    paused: int = 0,
    breached: bool = False,
    action: str | None = None,
    on_time: bool | None = None,
) -> Referral:
    decided_at = received_at + timedelta(minutes=decided_after) if decided_after is not None else None
    due_at = received_at + timedelta(minutes=sla) + timedelta(minutes=paused) if sla is not None else None
    referral = Referral.objects.create(
        kind=kind,
        category=category,
        severity="medium",
        status=status,
        explanation="A fixed referral of the transparency data set.",
        organisation=organisation,
        received_at=received_at,
        routed_at=received_at if queue else None,
        due_at=due_at,
        decided_at=decided_at,
        closed_at=decided_at,
        paused_seconds=paused * 60,
        breached=breached,
        queue=Queue.objects.get(slug=queue) if queue else None,
    )
    if action:
        Decision.objects.create(
            referral=referral,
            action=action,
            ground=Ground.TERMS,
            policy="Violent extremism policy",
            statement_of_reasons="A fixed decision of the transparency data set.",
            decided_at=decided_at,
            on_time=on_time,
        )
    return referral


def build_dataset(ngo, agency) -> dict[str, Referral]:
    r: dict[str, Referral] = {}
    ve, general = "violent-extremism", "general"
    # Notices from the NGO.
    notice_times = [(1, 1, 0, 0), (1, 10), (1, 11), (1, 12), (1, 13), (1, 14)]
    decided = [10, 20, 30, 40, 50, 1500]
    for i, (when, minutes) in enumerate(zip(notice_times, decided, strict=True), start=1):
        action = Action.ACCOUNT_SUSPENDED if i <= 2 else Action.CONTENT_REMOVED
        r[f"N{i}"] = make(
            ngo,
            "notice",
            "propaganda",
            "actioned",
            at(*when),
            queue=ve,
            decided_after=minutes,
            sla=1440,
            paused=120 if i == 6 else 0,
            action=action,
        )
    r["N7"] = make(
        ngo,
        "notice",
        "propaganda",
        "no_violation",
        at(1, 15),
        queue=ve,
        decided_after=2000,
        sla=1440,
        breached=True,
        action=Action.NO_ACTION,
    )
    r["N8"] = make(ngo, "notice", "hateful_conduct", "withdrawn", at(2, 1), queue=general, sla=4320)
    r["N9"] = make(ngo, "notice", "hateful_conduct", "withdrawn", at(2, 2), queue=general, sla=4320)
    r["N10"] = make(ngo, "notice", "propaganda", "duplicate", at(2, 3), queue=ve, sla=1440)
    r["N11"] = make(ngo, "notice", "other", "routed", at(3, 31, 23, 59, 59), queue=general, sla=4320, breached=True)

    # Removal orders from the agency.
    lo, ti = "legal-orders", "terrorist_incitement"
    r["R1"] = make(agency, "removal_order", ti, "actioned", at(2, 10), queue=lo, decided_after=30, sla=60,
                   action=Action.CONTENT_REMOVED, on_time=True)  # fmt: skip
    r["R2"] = make(agency, "removal_order", ti, "actioned", at(2, 11), queue=lo, decided_after=59, sla=60,
                   action=Action.CONTENT_REMOVED)  # fmt: skip
    r["R3"] = make(agency, "removal_order", ti, "actioned", at(2, 12), queue=lo, decided_after=60, sla=60,
                   action=Action.CONTENT_REMOVED)  # fmt: skip
    r["R4"] = make(agency, "removal_order", ti, "actioned", at(2, 13), queue=lo, decided_after=90, sla=60,
                   breached=True, action=Action.CONTENT_REMOVED, on_time=False)  # fmt: skip
    r["R5"] = make(agency, "removal_order", ti, "rejected", at(2, 14), queue=lo, decided_after=45, sla=60,
                   paused=30, action=Action.UNABLE_TO_COMPLY)  # fmt: skip
    r["R6"] = make(agency, "removal_order", ti, "actioned", at(3, 1), queue=lo, decided_after=120, sla=60,
                   paused=60, action=Action.CONTENT_REMOVED, on_time=True)  # fmt: skip
    r["R7"] = make(agency, "removal_order", ti, "in_review", at(3, 2), queue=lo, sla=60, breached=True)
    r["R8"] = make(agency, "removal_order", ti, "routed", at(3, 3), queue=lo, sla=60)
    r["R9"] = make(agency, "removal_order", ti, "withdrawn", at(3, 4), queue=lo, sla=60)

    # Law-enforcement referrals and a preservation request.
    for i, minutes in enumerate([100, 200, 300], start=1):
        r[f"L{i}"] = make(agency, "le_referral", "violent_threat", "actioned", at(1, 20 + i), queue="le-referrals",
                          decided_after=minutes, sla=720, action=Action.ACCOUNT_SUSPENDED)  # fmt: skip
    r["P1"] = make(
        agency, "preservation_request", "terrorist_threat", "routed", at(3, 5), queue="preservation", sla=1440
    )

    # Outside the period: just before and just after.
    r["before"] = make(ngo, "notice", "propaganda", "actioned", at(1, 1, 0, 0) - timedelta(seconds=1), queue=ve,
                       decided_after=5, sla=1440, action=Action.ACCOUNT_SUSPENDED)  # fmt: skip
    r["after"] = make(agency, "removal_order", ti, "actioned", datetime(2026, 4, 1, tzinfo=UTC), queue=lo,
                      decided_after=200, sla=60, breached=True, action=Action.CONTENT_REMOVED)  # fmt: skip
    r["before2"] = make(ngo, "notice", "other", "withdrawn", datetime(2025, 12, 31, 23, 0, tzinfo=UTC))
    r["after2"] = make(ngo, "notice", "other", "routed", datetime(2026, 4, 2, tzinfo=UTC), queue=general, sla=4320)

    # Accounts: six suspended by referrals of the period, one by an earlier one, one active.
    suspended_by = ["N1", "N2", "L1", "L2", "L3", "L3"]
    for account, key in zip(ACCOUNTS, suspended_by, strict=True):
        Subject.objects.create(platform="x", account=account, suspended_at=r[key].decided_at, suspended_by=r[key])
    Subject.objects.create(platform="x", account="old_account", suspended_at=r["before"].decided_at,
                           suspended_by=r["before"])  # fmt: skip
    Subject.objects.create(platform="x", account="still_active_account")
    return r


def test_the_data_set_has_twenty_four_referrals_in_the_period(ngo, agency):
    referrals = build_dataset(ngo, agency)
    in_period = [x for x in referrals.values() if START <= x.received_at.date() <= END]
    assert len(referrals) == 28
    assert len(in_period) == 24
