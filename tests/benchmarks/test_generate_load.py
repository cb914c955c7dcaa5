"""`manage.py generate_load`: a small run has the shape the benchmark relies on."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from benchmarks import cast
from partners.models import Organisation
from referrals.models import (
    DECIDED_STATUSES,
    Decision,
    Evidence,
    Kind,
    Referral,
    Status,
    Subject,
    Target,
    TimelineEvent,
)

N = 500


@pytest.fixture
def generated(routing_table):
    out = StringIO()
    call_command("generate_load", referrals=N, seed=7, batch=200, stdout=out)
    return out.getvalue()


def test_it_creates_n_referrals_in_batches_with_progress(generated):
    assert Referral.objects.count() == N
    assert "200 / 500" in generated and "500 / 500" in generated


def test_every_kind_and_the_main_statuses_occur(generated):
    kinds = Counter(Referral.objects.values_list("kind", flat=True))
    statuses = Counter(Referral.objects.values_list("status", flat=True))
    # Signals are the platform's own (SPEC §14): the surfacing section raises its own.
    assert set(kinds) == set(Kind.values) - {Kind.SIGNAL}
    assert kinds[Kind.NOTICE] > N / 2
    for status in (Status.ROUTED, Status.ACTIONED, Status.NO_VIOLATION, Status.DUPLICATE, Status.WITHDRAWN):
        assert statuses[status] > 0, status
    # Two years of data: most referrals are decided.
    assert sum(statuses[s] for s in DECIDED_STATUSES) > N / 2


def test_the_subjects_have_a_hyper_head_and_a_long_tail(generated):
    per_subject = Counter(Target.objects.values_list("subject_id", flat=True))
    counts = sorted(per_subject.values(), reverse=True)
    top = Subject.objects.get(pk=per_subject.most_common(1)[0][0])
    assert top.account.startswith("load_hyper_")
    assert counts[0] >= 10
    named_once = sum(1 for c in counts if c == 1)
    assert named_once > len(counts) / 2


def test_routed_referrals_carry_the_engine_decision(generated):
    routed = Referral.objects.exclude(status=Status.RECEIVED)
    assert not routed.filter(queue__isnull=True).exists()
    assert not routed.filter(due_at__isnull=True).exists()
    removal = routed.filter(kind=Kind.REMOVAL_ORDER).select_related("queue").first()
    assert removal.queue.slug == "legal-orders"
    assert (removal.due_at - removal.received_at).total_seconds() == 3600
    assert removal.priority >= 100
    assert any("Rule 1" in reason for reason in removal.routing_reasons)


def test_decided_referrals_have_a_decision_and_a_timeline(generated):
    decided = Referral.objects.filter(status__in=DECIDED_STATUSES)
    assert Decision.objects.count() == decided.count()
    assert not decided.filter(decided_at__isnull=True).exists()
    assert Decision.objects.filter(action="no_action").count() == decided.filter(status=Status.NO_VIOLATION).count()
    events = TimelineEvent.objects.filter(referral__in=decided).values("referral").annotate(n=Count("pk"))
    assert min(e["n"] for e in events) >= 4  # received, routed, claimed, decided
    assert TimelineEvent.objects.filter(type="received").count() == N
    assert Evidence.objects.exists()
    assert not Evidence.objects.exclude(referral__status__in=DECIDED_STATUSES).exists()


def test_one_organisation_holds_a_tenth_of_the_referrals(generated):
    big = Organisation.objects.get(slug=cast.BIG_ORGANISATION)
    assert Referral.objects.filter(organisation=big).count() == N // 10
    assert Referral.objects.filter(organisation__slug__startswith="load-").count() == N


def test_reset_deletes_only_the_generated_data(generated, ngo_member):
    from tests.referrals.factories import make_referral

    own = make_referral(ngo_member, targets=[{"url": "https://x.com/unrelated_account"}])
    call_command("generate_load", referrals=0, reset=True, stdout=StringIO())
    assert list(Referral.objects.all()) == [own]
    assert list(Subject.objects.values_list("account", flat=True)) == ["unrelated_account"]
    assert Organisation.objects.filter(slug__startswith="load-").exists()  # kept for reuse


def test_reset_also_deletes_the_generated_statements_of_reasons(generated):
    from referrals.models import StatementSubmission
    from referrals.review.services.statements import statements_enrol

    assert statements_enrol() > 0  # beat enrolled the generated decisions
    call_command("generate_load", referrals=0, reset=True, stdout=StringIO())
    assert not StatementSubmission.objects.exists()


def test_running_twice_reuses_the_organisations_and_people(generated):
    organisations = Organisation.objects.count()
    call_command("generate_load", referrals=50, seed=8, stdout=StringIO())
    assert Organisation.objects.count() == organisations
    assert Referral.objects.count() == N + 50
    assert len(set(Referral.objects.values_list("seq", flat=True))) == N + 50


def test_it_refuses_a_negative_count(db):
    with pytest.raises(CommandError):
        call_command("generate_load", referrals=-1, stdout=StringIO())


def test_subject_counts_match_the_generated_targets(generated):
    """The generator bypasses intake, so it adds each batch to Subject.referral_count itself."""
    named = (
        Target.objects.filter(subject__isnull=False)
        .values("subject_id")
        .annotate(n=Count("referral_id", distinct=True))
        .values_list("subject_id", "n")
    )
    assert dict(named) == dict(Subject.objects.filter(referral_count__gt=0).values_list("id", "referral_count"))


def test_subjects_carry_their_folded_handle(generated):
    """Intake folds each new handle for the look-alike detector; the generator does the same."""
    from referrals.engine.folding import fold_handle

    accounts = dict(Subject.objects.values_list("account", "folded_account"))
    assert accounts and all(folded == fold_handle(account) != "" for account, folded in accounts.items())


def test_co_referral_weights_match_the_generated_targets(generated):
    """Both directions, weight = referrals naming both, last_referred_at = the latest of them."""
    from referrals.models import SubjectLink

    expected: dict = {}
    by_referral: dict = {}
    for referral_id, subject_id, at in Target.objects.values_list("referral_id", "subject_id", "referral__received_at"):
        by_referral.setdefault(referral_id, (at, set()))[1].add(subject_id)
    for at, subjects in by_referral.values():
        for a in subjects:
            for b in subjects - {a}:
                weight, last = expected.get((a, b), (0, at))
                expected[(a, b)] = (weight + 1, max(last, at))

    links = {
        (s, o): (w, at)
        for s, o, w, at in SubjectLink.objects.values_list("subject", "other", "weight", "last_referred_at")
    }

    assert len(expected) > 10 and max(w for w, _ in expected.values()) > 1
    assert links == expected
