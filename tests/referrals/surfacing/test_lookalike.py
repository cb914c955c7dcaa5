"""The look-alike job (SPEC §14): accounts the platform's systems post are compared with the
suspended accounts of their platform, and each look-alike becomes one open `signal`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEvent
from referrals.models import BulkJob, Kind, Referral, Resemblance, Status, Subject
from referrals.review.services.decisions import referral_decide
from referrals.review.services.routing import referral_route_batch
from referrals.surfacing.services.lookalike import Candidate, SuspendedIndex, lookalikes
from referrals.surfacing.services.lookalike_job import INDEX_FROM, lookalike_job_create, lookalike_job_run
from tests.referrals.review_factories import DECISION, decided, received

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[3]

SUSPENDED = "abu_muhammad_al_britani"
LOOKALIKE = "abu.muhammad.al.britanii"  # folded: one letter more, 87 %


def suspend(lead, filer, account, *, platform="x", category="terrorist_recruitment", display_name=""):
    """A referral about `account`, decided by suspending it; then, when `display_name` is
    given, the platform's systems report that name for it (a job, which raises nothing)."""
    referral = decided(lead, filer, targets=[{"platform": platform, "account": account}], category=category)
    if display_name:
        check(lead, [{"platform": platform, "account": account, "display_name": display_name}])
    return referral


def check(by, accounts, **run):
    job = lookalike_job_create(user=by, accounts=accounts)
    lookalike_job_run(job_id=job.id, **run)
    job.refresh_from_db()
    return job


def signals():
    return Referral.objects.filter(kind=Kind.SIGNAL)


def account(handle, platform="x", **extra):
    return {"platform": platform, "account": handle, **extra}


def test_a_look_alike_of_a_suspended_account_is_raised_and_an_unrelated_one_is_not(reviewer, lead, ngo_member):
    suspending = suspend(lead, ngo_member, SUSPENDED, category="terrorist_recruitment")
    assert not signals().exists()

    job = check(reviewer, [account(LOOKALIKE), account("garden_friends")])

    assert (job.type, job.status, job.total, job.processed, job.created) == ("lookalike", "done", 2, 2, 1)
    [signal] = signals()
    assert signal.surfaced_subject.account == LOOKALIKE
    assert [t.account for t in signal.targets.all()] == [LOOKALIKE]
    assert (signal.detector, signal.category, signal.severity, signal.status) == (
        "lookalike",
        "terrorist_recruitment",  # the suspending referral's
        "medium",
        Status.RECEIVED,
    )
    assert signal.submitted_by is None  # "Surfacing"
    assert signal.signal_reasons == [f"handle '{LOOKALIKE}' is 87 % similar to suspended x · {SUSPENDED}"]
    suspended = Subject.objects.get(platform="x", account=SUSPENDED)
    assert suspended.suspended_by == suspending
    assert list(signal.resemblances.values_list("subject", "basis", "score", "candidate_value", "suspended_value")) == [
        (suspended.pk, "handle", 87, LOOKALIKE, SUSPENDED)
    ]
    assert not Subject.objects.filter(account="garden_friends").exists()


@pytest.mark.parametrize(
    ("candidate", "min_score", "raised"),
    [
        (LOOKALIKE, 85, True),  # 87 %
        (LOOKALIKE, 87, True),
        (LOOKALIKE, 88, False),
        ("abu_muhamad_al_britani", 85, True),  # 86 %
        ("abu_muhammad_al_brit", 85, False),  # 77 %
        ("abu_muhammad_al_brit", 75, True),
        ("Abu.Muhammad.Al.Britani.2", 85, True),  # 100 %: case, separators, counter
    ],
)
def test_a_candidate_is_raised_from_the_minimum_score(
    reviewer, lead, ngo_member, settings, candidate, min_score, raised
):
    settings.PORTAL_LOOKALIKE_MIN_SCORE = min_score
    suspend(lead, ngo_member, SUSPENDED)

    job = check(reviewer, [account(candidate)])

    assert job.created == signals().count() == int(raised)


def test_an_account_of_another_platform_never_matches(reviewer, lead, ngo_member):
    suspend(lead, ngo_member, SUSPENDED, platform="telegram")

    job = check(reviewer, [account(LOOKALIKE, "x"), account(SUSPENDED, "instagram")])

    assert job.created == 0 and not signals().exists()
    assert check(reviewer, [account(LOOKALIKE, "telegram")]).created == 1


def test_numeric_ids_never_match_by_handle(reviewer, lead, ngo_member):
    suspend(lead, ngo_member, "100004512345678", platform="facebook")

    job = check(reviewer, [account("100004512345679", "facebook"), account("100004512345678", "x")])

    assert job.created == 0 and not signals().exists()


def test_an_account_with_an_open_signal_is_not_raised_again_until_it_is_closed(reviewer, lead, ngo_member):
    suspend(lead, ngo_member, SUSPENDED)
    first = check(reviewer, [account(LOOKALIKE)])
    [signal] = signals()

    again = check(reviewer, [account(LOOKALIKE), account(LOOKALIKE)])

    assert (first.created, again.processed, again.created) == (1, 2, 0)
    assert signals().count() == 1
    referral_route_batch(seqs=[signal.seq])
    signal.refresh_from_db()
    referral_decide(by=lead, referral=signal, **{**DECISION, "action": "no_action"})
    assert Referral.objects.get(pk=signal.pk).is_closed

    later = check(reviewer, [account(LOOKALIKE)])

    assert later.created == 1
    assert signals().count() == 2
    assert signals().exclude(pk=signal.pk).get().surfaced_subject == signal.surfaced_subject


def test_a_suspended_candidate_is_not_raised(reviewer, lead, ngo_member):
    suspend(lead, ngo_member, SUSPENDED)
    suspend(lead, ngo_member, LOOKALIKE)  # resembles the first, but is suspended itself

    job = check(reviewer, [account(LOOKALIKE), account(SUSPENDED)])

    assert (job.processed, job.created) == (2, 0)
    assert not signals().exists()


def test_a_look_alike_of_several_suspended_accounts_names_the_best_five_first(reviewer, lead, ngo_member):
    alike = ["abu_muhammad_al_britani", "abu_muhamad_al_britani", "abumuhammadalbritanii", "abu_muhammad_al_britanni"]
    alike += ["abu_muhammad_al_britaniy", "abu_muhammad_al_brittani"]
    for handle in alike:
        suspend(lead, ngo_member, handle)

    check(reviewer, [account("abu.muhammad.al.britani")])

    [signal] = signals()
    assert list(signal.resemblances.values_list("score", flat=True)) == [100, 87, 87, 87, 87]  # not the 86
    assert len(signal.signal_reasons) == 5
    assert (
        signal.signal_reasons[0]
        == "handle 'abu.muhammad.al.britani' is 100 % similar to suspended x · abu_muhammad_al_britani"
    )


def test_a_display_name_is_compared_when_both_sides_have_one(reviewer, lead, ngo_member):
    suspend(lead, ngo_member, "wolf_of_the_desert", display_name="Abu Muhammad Al-Britani")
    assert Subject.objects.get(account="wolf_of_the_desert").folded_name == "abu muhammad al britani"

    job = check(
        reviewer,
        [
            account("garden_friends", display_name="Abu Muḥammad al Britani"),
            account("roses_and_tulips"),  # no display name: nothing to compare
            account("lone_wolf", display_name="Garden Friends"),
        ],
    )

    assert job.created == 1
    [signal] = signals()
    assert signal.surfaced_subject.account == "garden_friends"
    assert signal.signal_reasons == [
        "display name 'Abu Muḥammad al Britani' is 100 % similar to suspended x · wolf_of_the_desert "
        "('Abu Muhammad Al-Britani')"
    ]
    assert signal.resemblances.get().basis == Resemblance.Basis.DISPLAY_NAME
    surfaced = Subject.objects.get(account="garden_friends")
    assert (surfaced.display_name, surfaced.folded_name) == ("Abu Muḥammad al Britani", "abu muhammad al britani")


def test_a_known_account_takes_the_display_name_the_platform_reports(reviewer, lead, ngo_member):
    received(ngo_member, accounts=("garden_friends",))
    subject = Subject.objects.get(account="garden_friends")
    assert (subject.display_name, subject.folded_name) == ("", "")

    check(reviewer, [account("@Garden_Friends", display_name="Garden Friends 2")])

    subject.refresh_from_db()
    assert (subject.display_name, subject.folded_name) == ("Garden Friends 2", "garden friends")


def test_the_job_advances_batch_by_batch_and_drops_its_input_at_the_end(reviewer, lead, ngo_member):
    suspend(lead, ngo_member, SUSPENDED)
    accounts = [account(h) for h in ("a_one", LOOKALIKE, "a_three", "abu_muhamad_al_britani", "a_five")]
    job = lookalike_job_create(user=reviewer, accounts=accounts)
    assert (job.status, job.total, job.processed, job.created) == ("pending", 5, 0, 0)
    seen = []

    lookalike_job_run(job_id=job.id, batch_size=2, on_batch=lambda j: seen.append((j.status, j.processed, j.created)))

    assert seen == [("running", 2, 1), ("running", 4, 2), ("done", 5, 2)]
    job.refresh_from_db()
    assert (job.items, job.failed, job.finished_at is not None) == ([], 0, True)
    assert AuditEvent.objects.filter(action="surfacing.lookalike_job", object_id=str(job.pk)).count() == 1
    assert AuditEvent.objects.filter(action="signal.raise").count() == 2


def test_a_run_reads_the_suspended_accounts_once_not_per_batch(reviewer, lead, ngo_member, monkeypatch):
    suspend(lead, ngo_member, SUSPENDED)
    loads = []
    load = SuspendedIndex.load
    monkeypatch.setattr(SuspendedIndex, "load", classmethod(lambda cls, *a, **k: loads.append(a) or load(*a, **k)))
    job = lookalike_job_create(user=reviewer, accounts=[account(f"{LOOKALIKE}_{n}") for n in range(INDEX_FROM)])

    lookalike_job_run(job_id=job.id, batch_size=200)

    assert loads == [({"x"},)]
    job.refresh_from_db()
    assert (job.processed, job.created) == (INDEX_FROM, INDEX_FROM)


def test_a_finished_job_is_not_run_again(reviewer, lead, ngo_member):
    suspend(lead, ngo_member, SUSPENDED)
    job = check(reviewer, [account(LOOKALIKE)])
    Referral.objects.filter(kind=Kind.SIGNAL).update(status=Status.NO_VIOLATION)

    lookalike_job_run(job_id=job.id)

    assert BulkJob.objects.get(pk=job.pk).created == 1
    assert signals().count() == 1


def test_comparing_thirty_candidates_reads_as_much_as_comparing_three(lead, ngo_member):
    suspend(lead, ngo_member, SUSPENDED)

    def queries(n):
        candidates = [Candidate("x", f"abu_muhammad_al_britani_{i}") for i in range(n)]
        with CaptureQueriesContext(connection) as captured:
            found = lookalikes(candidates)
        assert all(found)
        return len(captured)

    # SQLite: the platform's suspended accounts, then the ones resembled. PostgreSQL: the
    # threshold, then one lookup per 500 candidates.
    assert queries(3) == queries(30) == 2


CANDIDATES = [
    Candidate("x", LOOKALIKE),
    Candidate("x", "abu_muhamad_al_britani", "Wolf of the Desert"),
    Candidate("x", "abu_muhammad_al_brit"),
    Candidate("x", "garden_friends", "Abu Muhammad al-Britani"),
    Candidate("telegram", LOOKALIKE),
    Candidate("x", "100004512345679"),
]


def test_the_in_memory_index_finds_what_the_database_finds(lead, ngo_member):
    suspend(lead, ngo_member, SUSPENDED, display_name="Abu Muhammad Al Britani")
    suspend(lead, ngo_member, "wolf_of_the_desert", display_name="Wolf of the Desert")
    suspend(lead, ngo_member, "100004512345678")

    def found(**kwargs):
        return [
            [(m.subject.account, m.basis, m.score) for m in matches] for matches in lookalikes(CANDIDATES, **kwargs)
        ]

    expected = [
        [(SUSPENDED, "handle", 87)],
        [("wolf_of_the_desert", "display_name", 100), (SUSPENDED, "handle", 86)],  # best first
        [],
        [(SUSPENDED, "display_name", 100)],
        [],
        [],
    ]
    assert found() == expected  # PostgreSQL: its trigram indexes
    assert found(index=SuspendedIndex.load({"x", "telegram"})) == expected


def settings_with(**env) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SECRET_KEY": "x" * 50, **env}
    code = "import portal.settings as s; print(s.PORTAL_LOOKALIKE_MIN_SCORE)"
    return subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=environment, capture_output=True, text=True)


@pytest.mark.parametrize(("raw", "score"), [("", None), ("0", 0), ("90", 90), ("100", 100)])
def test_the_minimum_score_comes_from_the_environment(raw, score):
    result = settings_with(**({"PORTAL_LOOKALIKE_MIN_SCORE": raw} if raw else {}))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(85 if score is None else score)


@pytest.mark.parametrize("raw", ["85%", "-1", "101", "high"])
def test_a_bad_minimum_score_stops_start_up(raw):
    result = settings_with(PORTAL_LOOKALIKE_MIN_SCORE=raw)

    assert result.returncode != 0
    assert "PORTAL_LOOKALIKE_MIN_SCORE" in result.stderr
