"""The bulk decision page `/decisions/bulk/` (SPEC §15) and the selection on an account's page:
the chosen referrals are shown with what will be skipped, then decided with `confirm=1`."""

import uuid

import pytest

from referrals.models import Referral, Status, Subject
from tests.referrals.review_factories import DECISION, claimed, decided, routed
from tests.referrals.workbench.decision_templates import make_template

pytestmark = pytest.mark.django_db

URL = "/decisions/bulk/"


def _status(referral) -> str:
    return Referral.objects.get(pk=referral.pk).status


def test_anonymous_visitors_are_sent_to_sign_in(client, ngo_member):
    notice = routed(ngo_member)

    assert client.post(URL, {"referrals": [str(notice.id)], "confirm": "1", **DECISION}).status_code == 302
    assert _status(notice) == Status.ROUTED


@pytest.mark.parametrize(("persona", "expected"), [("ngo_member", 404), ("liaison", 404), ("policy", 403)])
def test_partners_get_404_and_policy_staff_403(request, client_for, ngo_member, persona, expected):
    notice = routed(ngo_member)
    client = client_for(request.getfixturevalue(persona))

    response = client.post(URL, {"referrals": [str(notice.id)], "confirm": "1", **DECISION})

    assert response.status_code == expected
    assert _status(notice) == Status.ROUTED


def test_the_chosen_referrals_are_shown_with_what_will_be_skipped_and_nothing_is_decided(
    client_for, lead, ngo_member, liaison
):
    make_template(lead)
    notice = routed(ngo_member, accounts=("recruiter",))
    order = routed(liaison, "removal_order", accounts=("c",))

    response = client_for(lead).post(URL, {"referrals": [str(notice.id), str(order.id), str(uuid.uuid4())]})

    assert response.status_code == 200
    page = response.content.decode()
    assert notice.reference in page and order.reference in page and "recruiter" in page
    assert "decided in bulk only by the person it is assigned to" in page
    assert "No referral you can see has this id." in page
    assert 'name="template"' in page and 'name="confirm" value="1"' in page
    assert page.count(f'name="referrals" value="{notice.id}"') == 1
    assert "Decide 1 referral" in page
    assert _status(notice) == Status.ROUTED and _status(order) == Status.ROUTED


def test_confirming_decides_with_the_template_and_shows_decided_and_skipped(client_for, lead, ngo_member, liaison):
    template = make_template(lead)
    notices = [routed(ngo_member, accounts=(f"acct{n}",)) for n in range(3)]
    order = routed(liaison, "removal_order", accounts=("c",))
    done = decided(lead, ngo_member, accounts=("e",))
    ids = [str(r.id) for r in (*notices, order, done)]

    response = client_for(lead).post(URL, {"referrals": ids, "confirm": "1", "template": str(template.pk)})

    assert response.status_code == 200
    page = response.content.decode()
    assert "3 referrals decided." in page and "2 skipped." in page
    for n, notice in enumerate(notices):
        notice.refresh_from_db()
        assert notice.status == Status.ACTIONED
        assert notice.decision.statement_of_reasons.startswith(f"The account acct{n} on x recruits")
    assert _status(order) == Status.ROUTED
    assert "Not open for a decision: its status is “Actioned”." in page
    assert "decided in bulk only by the person it is assigned to" in page


def test_an_incomplete_decision_comes_back_with_errors_and_decides_nothing(client_for, lead, ngo_member):
    notice = routed(ngo_member)

    response = client_for(lead).post(URL, {"referrals": [str(notice.id)], "confirm": "1", "action": ""})

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert {"action", "policy", "statement_of_reasons"} <= set(response.context["form"].errors)
    assert _status(notice) == Status.ROUTED


def test_a_reviewer_decides_only_their_own(client_for, reviewer, ngo_member):
    own = claimed(reviewer, ngo_member, accounts=("a",))
    waiting = routed(ngo_member, accounts=("b",))

    response = client_for(reviewer).post(
        URL, {"referrals": [str(own.id), str(waiting.id)], "confirm": "1", **DECISION, "territorial_scope": ""}
    )

    assert "1 referral decided." in response.content.decode()
    assert _status(own) == Status.ACTIONED and _status(waiting) == Status.ROUTED


def test_more_than_500_are_refused_before_anything_is_shown(client_for, lead, ngo_member):
    notice = routed(ngo_member)
    ids = [str(notice.id), *(str(uuid.uuid4()) for _ in range(500))]

    response = client_for(lead).post(URL, {"referrals": ids, "confirm": "1", **DECISION})

    assert response.status_code == 200
    assert "at most 500 can be decided at once" in response.content.decode()
    assert _status(notice) == Status.ROUTED


def test_without_a_choice_the_page_says_where_to_choose(client_for, lead):
    response = client_for(lead).get(URL)

    assert response.status_code == 200
    assert "select them on a work list" in response.content.decode()


def test_an_accounts_page_offers_its_and_its_linked_accounts_open_referrals(client_for, reviewer, lead, ngo_member):
    both = routed(ngo_member, accounts=("main", "linked"))
    linked_only = routed(ngo_member, accounts=("linked",))
    unrelated = routed(ngo_member, accounts=("elsewhere",))
    closed = decided(lead, ngo_member, accounts=("main",), decision={"apply_to_subject": False})
    subject = Subject.objects.get(account="main")

    client = client_for(reviewer)
    # The page offers the selection; the open referrals are read only when asked for.
    assert 'href="?select=1#open-h"' in client.get(f"/subjects/{subject.id}/").content.decode()
    assert 'name="referrals"' not in client.get(f"/subjects/{subject.id}/").content.decode()
    page = client.get(f"/subjects/{subject.id}/", {"select": "1"}).content.decode()

    assert 'action="/decisions/bulk/"' in page
    for referral in (both, linked_only):
        assert f'name="referrals" value="{referral.id}"' in page
    for referral in (unrelated, closed):
        assert f'name="referrals" value="{referral.id}"' not in page


def test_policy_staff_see_no_selection_on_an_accounts_page(client_for, policy, ngo_member):
    notice = routed(ngo_member, accounts=("main",))

    page = client_for(policy).get(f"/subjects/{notice.targets.get().subject_id}/", {"select": "1"}).content.decode()

    assert 'name="referrals"' not in page
