"""`GET /api/v1/referrals/{id}/statement-of-reasons/` (SPEC §22): a statement the DSA
Transparency Database accepts for every decision that restricts something, a 404 with the
reason otherwise, one statement (and one `puid`) per decision.

Every statement built here also passes through the database's rules (tests/conftest.py).
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from portal.models import AuditEvent
from referrals.engine import dsa
from referrals.intake.services.evidence import evidence_inspect_all
from referrals.models import Decision, Referral
from referrals.review.services.routing import referral_route_batch
from tests.referrals.evidence_files import pdf_bytes, png_bytes, upload
from tests.referrals.review_factories import DECISION, decided, received, routed

pytestmark = pytest.mark.django_db


def export(api, referral):
    return api.get(f"/api/v1/referrals/{referral.id}/statement-of-reasons/")


@pytest.mark.parametrize(
    ("action", "visibility", "account"),
    [
        ("account_suspended", [], "DECISION_ACCOUNT_SUSPENDED"),
        ("content_removed", ["DECISION_VISIBILITY_CONTENT_REMOVED"], None),
        ("content_restricted", ["DECISION_VISIBILITY_CONTENT_DISABLED"], None),
        ("label_applied", ["DECISION_VISIBILITY_CONTENT_LABELLED"], None),
    ],
)
def test_every_restricting_decision_exports_a_statement_the_database_accepts(
    api_for, lead, reviewer, ngo_member, action, visibility, account
):
    referral = decided(lead, ngo_member, decision={"action": action})

    response = export(api_for(reviewer), referral)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["decision_visibility"] == visibility
    assert body["decision_account"] == account
    assert body["puid"] == referral.reference
    assert AuditEvent.objects.filter(action="referral.statement_export", object_id=str(referral.pk)).count() == 1


@pytest.mark.parametrize(
    ("kind", "action", "extra"),
    [
        ("notice", "no_action", {}),
        ("preservation_request", "data_preserved", {}),
        ("emergency_request", "data_disclosed", {}),
        ("removal_order", "unable_to_comply", {"non_compliance_reason": "manifest_error"}),
    ],
)
def test_a_decision_that_restricts_nothing_has_no_statement(
    api_for, lead, reviewer, ngo_member, liaison, kind, action, extra
):
    submitter = ngo_member if kind == "notice" else liaison
    referral = decided(lead, submitter, kind, decision={"action": action, "ground": "legal", **extra})

    response = export(api_for(reviewer), referral)

    assert response.status_code == 404
    assert "restricts nothing" in response.json()["detail"]


def test_an_undecided_referral_has_no_statement_yet(api_for, reviewer, ngo_member):
    response = export(api_for(reviewer), routed(ngo_member))

    assert response.status_code == 404
    assert "not decided" in response.json()["detail"]


def test_referrals_closed_by_one_suspension_answer_with_its_one_statement(
    api_for, lead, reviewer, ngo_member, other_ngo_member
):
    others = [routed(other_ngo_member, accounts=("hyper",)) for _ in range(4)]
    first = decided(lead, ngo_member, accounts=("hyper",))
    assert Decision.objects.filter(applied_from=first.decision).count() == 4

    bodies = [export(api_for(reviewer), r).json() for r in [first, *others]]

    assert {b["puid"] for b in bodies} == {first.reference}
    assert all(b == bodies[0] for b in bodies)


def test_a_duplicate_answers_with_the_suspension_that_closed_it(api_for, lead, reviewer, ngo_member, other_ngo_member):
    first = decided(lead, ngo_member, accounts=("hyper",), decision={"apply_to_subject": False})
    duplicate = received(other_ngo_member, accounts=("hyper",))
    referral_route_batch(seqs=[duplicate.seq])
    duplicate.refresh_from_db()
    assert duplicate.status == "duplicate"

    assert export(api_for(reviewer), duplicate).json()["puid"] == first.reference


def test_a_long_statement_is_explained_in_2000_characters_and_kept_whole_in_the_facts(
    api_for, lead, reviewer, ngo_member
):
    statement = ("The account posts recruitment material for a proscribed group. " * 80)[:5000]
    referral = decided(lead, ngo_member, decision={"statement_of_reasons": statement, "ground": "legal"})

    body = export(api_for(reviewer), referral).json()

    assert len(body["illegal_content_explanation"]) <= dsa.EXPLANATION_MAX
    assert body["illegal_content_explanation"].endswith("…")
    assert body["decision_facts"] == statement.strip()


def test_an_account_without_evidence_is_other_content_described(api_for, lead, reviewer, ngo_member):
    referral = decided(lead, ngo_member, accounts=("someone", "other"))

    body = export(api_for(reviewer), referral).json()

    assert body["content_type"] == ["CONTENT_TYPE_OTHER"]
    assert body["content_type_other"] == "Account on x"


def test_a_post_without_evidence_is_other_content_described(api_for, lead, reviewer, ngo_member):
    referral = decided(
        lead, ngo_member, decision={"action": "content_removed"}, targets=[{"url": "https://t.me/channel/5"}]
    )

    body = export(api_for(reviewer), referral).json()

    assert (body["content_type"], body["content_type_other"]) == (["CONTENT_TYPE_OTHER"], "Post on telegram")


def test_evidence_and_video_targets_give_the_content_type(api_for, lead, reviewer, ngo_member):
    from tests.referrals.factories import make_referral

    files = evidence_inspect_all([upload("a.png", png_bytes()), upload("b.pdf", pdf_bytes())])
    referral = make_referral(
        ngo_member, evidence=files, targets=[{"url": "https://www.youtube.com/watch?v=abc123"}], category="other"
    )
    referral_route_batch(seqs=[referral.seq])
    from referrals.review.services.decisions import referral_decide

    referral_decide(by=lead, referral=Referral.objects.get(pk=referral.pk), **{**DECISION, "action": "content_removed"})

    body = export(api_for(reviewer), referral).json()

    assert body["content_type"] == ["CONTENT_TYPE_IMAGE", "CONTENT_TYPE_VIDEO", "CONTENT_TYPE_OTHER"]
    assert body["content_type_other"] == "Document (PDF)"


def test_an_image_alone_needs_no_description(api_for, lead, reviewer, ngo_member):
    from referrals.review.services.decisions import referral_decide
    from tests.referrals.factories import make_referral

    referral = make_referral(ngo_member, evidence=evidence_inspect_all([upload("a.png", png_bytes())]))
    referral_route_batch(seqs=[referral.seq])
    referral_decide(by=lead, referral=Referral.objects.get(pk=referral.pk), **DECISION)

    body = export(api_for(reviewer), referral).json()

    assert (body["content_type"], body["content_type_other"]) == (["CONTENT_TYPE_IMAGE"], None)


def test_everywhere_is_all_thirty_eea_countries(api_for, lead, reviewer, ngo_member):
    everywhere = decided(lead, ngo_member, accounts=("a",))
    some = decided(lead, ngo_member, accounts=("b",), decision={"territorial_scope": ["de", "AT"]})

    assert export(api_for(reviewer), everywhere).json()["territorial_scope"] == list(dsa.EEA_COUNTRIES)
    assert len(dsa.EEA_COUNTRIES) == 30
    assert export(api_for(reviewer), some).json()["territorial_scope"] == ["DE", "AT"]


def test_the_content_date_is_when_it_was_posted_if_the_submitter_said(api_for, lead, reviewer, ngo_member):
    posted = timezone.now() - timedelta(days=40)
    with_date = decided(
        lead,
        ngo_member,
        targets=[
            {"url": "https://x.com/poster/status/1", "posted_at": posted.isoformat()},
            {"url": "https://x.com/poster/status/2", "posted_at": (posted + timedelta(days=3)).isoformat()},
        ],
    )
    without = decided(lead, ngo_member, accounts=("quiet",))

    assert export(api_for(reviewer), with_date).json()["content_date"] == posted.date().isoformat()
    assert export(api_for(reviewer), without).json()["content_date"] == without.received_at.date().isoformat()


def test_the_language_is_upper_case_or_absent(api_for, lead, reviewer, ngo_member):
    french = decided(lead, ngo_member, accounts=("a",), language="fr")
    unknown = decided(lead, ngo_member, accounts=("b",), language=None)

    assert export(api_for(reviewer), french).json()["content_language"] == "FR"
    assert export(api_for(reviewer), unknown).json()["content_language"] is None


def test_the_source_follows_the_kind_and_the_notifier(api_for, lead, reviewer, ngo_member, other_ngo_member, liaison):
    trusted = decided(lead, ngo_member, accounts=("a",))
    plain = decided(lead, other_ngo_member, accounts=("b",))
    police = decided(lead, liaison, "le_referral", accounts=("c",))
    order = decided(
        lead, liaison, "removal_order", accounts=("d",), decision={"action": "content_removed", "ground": "legal"}
    )

    sources = [export(api_for(reviewer), r).json()["source_type"] for r in (trusted, plain, police, order)]

    assert sources == [
        "SOURCE_TRUSTED_FLAGGER",
        "SOURCE_ARTICLE_16",
        "SOURCE_TYPE_OTHER_NOTIFICATION",
        "SOURCE_TYPE_OTHER_NOTIFICATION",
    ]


def test_a_decision_recorded_before_the_checks_still_exports_within_the_rules(api_for, lead, reviewer, ngo_member):
    referral = decided(lead, ngo_member, decision={"territorial_scope": ["DE"]})
    Decision.objects.filter(pk=referral.decision.pk).update(
        territorial_scope=["GB", "DE", "US"], restriction_end=date(2040, 1, 1)
    )

    body = export(api_for(reviewer), referral).json()

    assert body["territorial_scope"] == ["DE"]
    assert body["end_date_account_restriction"] is None


def test_a_restriction_end_is_exported_with_its_kind(api_for, lead, reviewer, ngo_member):
    end = timezone.localdate() + timedelta(days=30)
    suspended = decided(lead, ngo_member, accounts=("a",), decision={"restriction_end": end})
    labelled = decided(lead, ngo_member, accounts=("b",), decision={"action": "label_applied", "restriction_end": end})

    first, second = (export(api_for(reviewer), r).json() for r in (suspended, labelled))

    assert (first["end_date_account_restriction"], first["end_date_visibility_restriction"]) == (end.isoformat(), None)
    assert (second["end_date_account_restriction"], second["end_date_visibility_restriction"]) == (
        None,
        end.isoformat(),
    )
