"""The redress pages (SPEC §16): the appeal on the referral page, complaints, the appeals list
and one appeal with its decision, persona by persona."""

from datetime import timedelta

import pytest
from django.test import Client

from referrals.models import Appeal, AppealStatus, Subject
from tests.referrals.redress.redress_factories import REASON, STATEMENT, appealed, complained, no_violation, suspended

pytestmark = pytest.mark.django_db


def page(client, referral) -> str:
    response = client.get(f"/referrals/{referral.reference}/")
    assert response.status_code == 200
    return response.content.decode()


# --- The referral page ----------------------------------------------------------------------------


def test_the_submitter_is_offered_the_appeal_form_with_its_deadline(client_for, ngo_member, lead):
    referral = no_violation(lead, ngo_member)
    deadline = referral.decision.decided_at + timedelta(days=183)

    html = page(client_for(ngo_member), referral)

    assert "Appeal this decision" in html
    assert f'action="/referrals/{referral.reference}/appeal/"' in html
    assert f"{deadline:%Y-%m-%d}" in html  # the <time datetime> of the last day
    assert 'name="reason"' in html


@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_platform_roles_get_no_appeal_form_but_may_record_a_complaint(request, client_for, persona, ngo_member, lead):
    referral = suspended(lead, ngo_member)

    html = page(client_for(request.getfixturevalue(persona)), referral)

    assert f"/referrals/{referral.reference}/appeal/" not in html
    assert "Record a complaint" in html
    assert f"/referrals/{referral.reference}/complaint/" in html


def test_the_appeal_and_its_outcome_show_on_the_referral_page(client_for, ngo_member, lead, reviewer):
    from referrals.redress.services import appeal_decide

    referral = suspended(lead, ngo_member, accounts=("hyper",))
    appeal = appealed(referral, ngo_member)
    html = page(client_for(ngo_member), referral)
    assert "Appeal this decision" not in html
    assert REASON.replace("'", "&#x27;") in html
    assert "to be decided by" in html

    appeal_decide(by=reviewer, appeal=appeal, outcome="reversed", statement=STATEMENT)

    partner = page(client_for(ngo_member), referral)
    platform = page(client_for(lead), referral)
    assert "Decision reversed" in partner and STATEMENT in partner
    assert "the account is active again" in partner
    assert reviewer.email not in partner
    assert reviewer.email in platform and f"/appeals/{appeal.pk}/" in platform


def test_complaints_show_to_platform_roles_only(client_for, ngo_member, lead, reviewer):
    referral = suspended(lead, ngo_member)
    complaint = complained(referral, reviewer, reason="The holder says the account is a news outlet's archive.")

    partner = page(client_for(ngo_member), referral)
    platform = page(client_for(reviewer), referral)

    assert "Complaint" not in partner and "news outlet" not in partner
    assert f"/appeals/{complaint.pk}/" not in partner
    assert "Complaints from the account holder" in platform and f"/appeals/{complaint.pk}/" in platform


def test_after_six_months_the_page_says_the_time_to_appeal_ended(client_for, ngo_member, lead):
    from referrals.models import Decision

    referral = no_violation(lead, ngo_member)
    Decision.objects.filter(referral=referral).update(decided_at=referral.decision.decided_at - timedelta(days=200))

    html = page(client_for(ngo_member), referral)

    assert "The time to appeal this decision ended" in html
    assert 'name="reason"' not in html


# --- Appealing from the page ------------------------------------------------------------------------


def test_the_submitter_appeals_from_the_page(client_for, ngo_member, lead):
    referral = no_violation(lead, ngo_member)

    response = client_for(ngo_member).post(f"/referrals/{referral.reference}/appeal/", {"reason": REASON})

    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.reference}/#appeal-h"
    assert Appeal.objects.get().filed_by == ngo_member


def test_a_refused_appeal_comes_back_with_the_text_and_the_reason(client_for, ngo_member, lead):
    referral = no_violation(lead, ngo_member)

    response = client_for(ngo_member).post(f"/referrals/{referral.reference}/appeal/", {"reason": "Too short"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "at least 20" in html and "Too short" in html
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("other_ngo_member", 404), ("liaison", 404), ("reviewer", 403), ("lead", 403), ("policy", 403)],
)
def test_others_may_not_appeal_from_the_page(request, client_for, persona, expected, ngo_member, lead):
    referral = no_violation(lead, ngo_member)
    client = client_for(request.getfixturevalue(persona))

    assert client.get(f"/referrals/{referral.reference}/appeal/").status_code == expected
    assert client.post(f"/referrals/{referral.reference}/appeal/", {"reason": REASON}).status_code == expected
    assert not Appeal.objects.exists()


def test_the_appeal_form_has_a_page_of_its_own(client_for, ngo_admin, ngo_member, lead):
    referral = no_violation(lead, ngo_member)

    response = client_for(ngo_admin).get(f"/referrals/{referral.reference}/appeal/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="reason"' in html and "six months after it was taken" in html


def test_anonymous_visitors_are_sent_to_sign_in(ngo_member, lead):
    referral = no_violation(lead, ngo_member)
    appeal = appealed(referral, ngo_member)
    for url in (
        f"/referrals/{referral.reference}/appeal/",
        f"/referrals/{referral.reference}/complaint/",
        "/appeals/",
        f"/appeals/{appeal.pk}/",
    ):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


# --- Recording a complaint ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["ngo_member", "other_ngo_member", "liaison"])
def test_the_complaint_page_does_not_exist_for_partners(request, client_for, persona, ngo_member, lead):
    referral = suspended(lead, ngo_member)
    client = client_for(request.getfixturevalue(persona))

    assert client.get(f"/referrals/{referral.reference}/complaint/").status_code == 404
    assert client.post(f"/referrals/{referral.reference}/complaint/", {"reason": REASON}).status_code == 404
    assert not Appeal.objects.exists()


def test_platform_staff_record_a_complaint_from_its_page(client_for, ngo_member, lead, policy):
    referral = suspended(lead, ngo_member)
    client = client_for(policy)
    assert client.get(f"/referrals/{referral.reference}/complaint/").status_code == 200

    response = client.post(f"/referrals/{referral.reference}/complaint/", {"reason": REASON})

    complaint = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/appeals/{complaint.pk}/"
    assert (complaint.source, complaint.recorded_by) == ("account_holder", policy)


# --- The appeals list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["ngo_member", "other_ngo_member", "liaison"])
def test_the_appeals_pages_do_not_exist_for_partners(request, client_for, persona, ngo_member, lead):
    appeal = appealed(no_violation(lead, ngo_member), ngo_member)
    client = client_for(request.getfixturevalue(persona))

    assert client.get("/appeals/").status_code == 404
    assert client.get(f"/appeals/{appeal.pk}/").status_code == 404
    assert client.post(f"/appeals/{appeal.pk}/", {"outcome": "upheld", "statement": STATEMENT}).status_code == 404


@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_the_list_shows_open_appeals_and_complaints_by_due_date(request, client_for, persona, ngo_member, lead):
    first = appealed(no_violation(lead, ngo_member, accounts=("one",)), ngo_member)
    complaint = complained(suspended(lead, ngo_member, accounts=("two",)), lead)
    Appeal.objects.filter(pk=complaint.pk).update(due_at=first.due_at - timedelta(days=1))

    response = client_for(request.getfixturevalue(persona)).get("/appeals/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(f"/appeals/{complaint.pk}/") < html.index(f"/appeals/{first.pk}/")
    assert "The account holder" in html and ngo_member.membership.organisation.name in html
    assert "No action" in html and "Account suspended" in html


def test_the_decided_tab_lists_decided_appeals(client_for, ngo_member, lead, reviewer):
    from referrals.redress.services import appeal_decide

    appeal = appealed(no_violation(lead, ngo_member), ngo_member)
    appeal_decide(by=reviewer, appeal=appeal, outcome="upheld", statement=STATEMENT)
    client = client_for(reviewer)

    assert f"/appeals/{appeal.pk}/" not in client.get("/appeals/").content.decode()
    assert f"/appeals/{appeal.pk}/" in client.get("/appeals/?status=decided").content.decode()


def test_platform_roles_find_appeals_in_the_navigation(client_for, reviewer, ngo_member):
    assert 'href="/appeals/"' in client_for(reviewer).get("/").content.decode()
    assert 'href="/appeals/"' not in client_for(ngo_member).get("/").content.decode()


# --- One appeal and its decision ----------------------------------------------------------------------


@pytest.fixture
def suspension_appeal(ngo_member, lead):
    return appealed(suspended(lead, ngo_member, accounts=("hyper",)), ngo_member)


def test_the_appeal_page_shows_the_referral_the_decision_and_the_reason(client_for, suspension_appeal, reviewer):
    html = client_for(reviewer).get(f"/appeals/{suspension_appeal.pk}/").content.decode()

    referral = suspension_appeal.referral
    assert referral.reference in html and "hyper" in html
    assert "Account suspended" in html and referral.decision.statement_of_reasons in html
    assert REASON.replace("'", "&#x27;") in html
    assert 'name="outcome"' in html and 'name="statement"' in html


def test_the_original_decider_is_told_why_they_cannot_decide(client_for, suspension_appeal, lead):
    client = client_for(lead)

    html = client.get(f"/appeals/{suspension_appeal.pk}/").content.decode()
    response = client.post(
        f"/appeals/{suspension_appeal.pk}/", {"outcome": "reversed", "statement": STATEMENT, "confirm": "1"}
    )

    assert "You took the decision under appeal" in html and 'name="statement"' not in html
    assert response.status_code == 403
    assert "You took the decision under appeal" in response.content.decode()
    assert Appeal.objects.get(pk=suspension_appeal.pk).status == AppealStatus.OPEN
    assert Subject.objects.get(account="hyper").status == "suspended"


def test_policy_staff_read_appeals_but_do_not_decide_them(client_for, suspension_appeal, policy):
    client = client_for(policy)

    html = client.get(f"/appeals/{suspension_appeal.pk}/").content.decode()
    response = client.post(f"/appeals/{suspension_appeal.pk}/", {"outcome": "upheld", "statement": STATEMENT})

    assert 'name="statement"' not in html
    assert response.status_code == 403
    assert Appeal.objects.get(pk=suspension_appeal.pk).status == AppealStatus.OPEN


def test_upholding_takes_one_step(client_for, suspension_appeal, reviewer):
    response = client_for(reviewer).post(
        f"/appeals/{suspension_appeal.pk}/", {"outcome": "upheld", "statement": STATEMENT}
    )

    assert response.status_code == 302
    assert Appeal.objects.get(pk=suspension_appeal.pk).outcome == "upheld"


def test_reversing_asks_for_confirmation_first(client_for, suspension_appeal, reviewer):
    client = client_for(reviewer)
    url = f"/appeals/{suspension_appeal.pk}/"

    asked = client.post(url, {"outcome": "reversed", "statement": STATEMENT})

    assert asked.status_code == 200
    html = asked.content.decode()
    assert "The suspension is lifted at once" in html and "Yes, reverse it" in html
    assert 'name="confirm" value="1"' in html and STATEMENT in html
    assert Appeal.objects.get(pk=suspension_appeal.pk).status == AppealStatus.OPEN
    assert Subject.objects.get(account="hyper").status == "suspended"

    done = client.post(url, {"outcome": "reversed", "statement": STATEMENT, "confirm": "1"})

    assert done.status_code == 302 and done["Location"] == url
    assert Appeal.objects.get(pk=suspension_appeal.pk).outcome == "reversed"
    assert Subject.objects.get(account="hyper").status == "active"
    decided = client.get(url).content.decode()
    assert reviewer.email in decided and 'name="statement"' not in decided


def test_a_short_statement_comes_back_on_the_form(client_for, suspension_appeal, reviewer):
    response = client_for(reviewer).post(f"/appeals/{suspension_appeal.pk}/", {"outcome": "upheld", "statement": "No."})

    assert response.status_code == 200
    assert "at least 20" in response.content.decode()
    assert Appeal.objects.get(pk=suspension_appeal.pk).status == AppealStatus.OPEN


def test_the_partner_reads_the_whole_story_on_the_referral_page(client_for, ngo_member, lead, reviewer):
    from referrals.models import Referral
    from referrals.redress.services import appeal_decide
    from referrals.review.services.decisions import referral_decide
    from tests.referrals.redress.redress_factories import NO_ACTION
    from tests.referrals.review_factories import DECISION

    referral = no_violation(lead, ngo_member)
    client = client_for(ngo_member)
    client.post(f"/referrals/{referral.reference}/appeal/", {"reason": REASON})
    appeal_decide(by=reviewer, appeal=Appeal.objects.get(), outcome="reversed", statement=STATEMENT)
    referral_decide(by=lead, referral=Referral.objects.get(pk=referral.pk), **DECISION)

    html = page(client, referral)

    main = html[html.index("<main") :]
    order = [
        "Decision: No action.",
        "The decision was appealed.",
        "The appeal was decided: the decision is reversed.",
        "Decision reversed on appeal; the referral is back in review.",
        "Decision: Account suspended.",
    ]
    positions = [main.index(line) for line in order]
    assert positions == sorted(positions)
    assert NO_ACTION["statement_of_reasons"] in main  # the reversed decision's reasons, kept on the appeal
    assert DECISION["statement_of_reasons"] in main  # the fresh decision
    assert STATEMENT in main and "Decision reversed" in main
    assert reviewer.email not in main and lead.email not in main
