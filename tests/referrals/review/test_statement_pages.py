"""Where a decision's statement of reasons is, on the referral page and on the page of
statements not yet in the DSA Transparency Database (SPEC §22): the database's errors are
for queue leads, who can send a refused statement again; partners see none of it."""

import pytest

from portal.models import AuditEvent
from referrals.models import StatementSubmission
from referrals.review.services.routing import referral_route_batch
from referrals.review.services.statements import statements_enrol, statements_submit
from tests.referrals.review_factories import decided, decided_many, received

pytestmark = pytest.mark.django_db
State = StatementSubmission.State
ERRORS = {"content_type_other": ["The content type other field is required when content is other."]}


@pytest.fixture
def refused(lead, ngo_member, tdb):
    """A suspension whose statement the database refused."""
    (referral,) = decided_many(lead, ngo_member, 1)
    tdb.refuse[referral.reference] = ERRORS
    statements_submit()
    assert StatementSubmission.objects.get().state == State.REFUSED
    return referral


def page(client, referral) -> str:
    return client.get(f"/referrals/{referral.reference}/").content.decode()


def test_a_lead_sees_why_the_database_refused_it_and_can_send_it_again(client_for, lead, refused):
    html = page(client_for(lead), refused)

    assert "The DSA Transparency Database refused this statement." in html
    assert "The content type other field is required when content is other." in html
    assert f"/statements-of-reasons/{refused.reference}/resend/" in html


def test_a_reviewer_sees_it_was_refused_but_not_the_errors(client_for, reviewer, refused):
    html = page(client_for(reviewer), refused)

    assert "The DSA Transparency Database refused this statement." in html
    assert "A queue lead can see why." in html
    assert "content type other field" not in html
    assert "/resend/" not in html


def test_the_submitting_partner_sees_nothing_of_it(client_for, ngo_member, refused):
    html = page(client_for(ngo_member), refused)

    assert "Transparency Database" not in html
    assert "statement-of-reasons" not in html


def test_a_sent_statement_shows_its_database_id(client_for, reviewer, lead, ngo_member, tdb):
    referral = decided(lead, ngo_member)
    statements_submit()

    html = page(client_for(reviewer), referral)

    assert "In the DSA Transparency Database since" in html
    assert tdb.stored[referral.reference]["uuid"] in html


def test_a_waiting_statement_and_a_decision_without_one(client_for, reviewer, lead, ngo_member):
    waiting = decided(lead, ngo_member, accounts=("a",))
    statements_enrol()
    nothing = decided(lead, ngo_member, accounts=("b",), decision={"action": "no_action"})
    client = client_for(reviewer)

    assert "Waiting to be sent to the DSA Transparency Database" in page(client, waiting)
    assert "restricts nothing" in page(client, nothing)


def test_a_duplicate_points_to_the_statement_that_answers_for_it(
    client_for, reviewer, lead, ngo_member, other_ngo_member
):
    first = decided(lead, ngo_member, accounts=("hyper",), decision={"apply_to_subject": False})
    duplicate = received(other_ngo_member, accounts=("hyper",))
    referral_route_batch(seqs=[duplicate.seq])

    html = page(client_for(reviewer), duplicate)

    assert f'answered by the statement of <a href="/referrals/{first.reference}/">{first.reference}</a>' in html


# --- The page of statements not yet in the database --------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"), [("ngo_member", 404), ("liaison", 404), ("reviewer", 403), ("policy", 403)]
)
def test_the_unsent_page_is_for_queue_leads(request, client_for, persona, expected):
    assert client_for(request.getfixturevalue(persona)).get("/statements-of-reasons/").status_code == expected


def test_anonymous_visitors_sign_in_first(client):
    response = client.get("/statements-of-reasons/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_unsent_page_lists_refused_statements_first_with_their_errors(
    client_for, lead, ngo_member, refused, tdb, settings
):
    settings.PORTAL_DSA_TDB_URL = settings.PORTAL_DSA_TDB_TOKEN = ""
    waiting = decided(lead, ngo_member, accounts=("later",))
    statements_enrol()

    response = client_for(lead).get("/statements-of-reasons/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(refused.reference) < html.index(waiting.reference)
    assert "The content type other field is required when content is other." in html
    assert "Sending is switched off on this server" in html
    assert "0 sent, 1 waiting, 1 refused." in html


def test_a_lead_sends_it_again_from_the_page(client_for, lead, refused):
    response = client_for(lead).post(f"/statements-of-reasons/{refused.reference}/resend/")

    assert response.status_code == 302
    row = StatementSubmission.objects.get()
    assert (row.state, row.errors) == (State.PENDING, {})
    assert AuditEvent.objects.filter(action="statement.resend", object_id=str(row.pk)).count() == 1


def test_a_reviewer_cannot_send_it_again(client_for, reviewer, refused):
    response = client_for(reviewer).post(f"/statements-of-reasons/{refused.reference}/resend/")

    assert response.status_code == 403
    assert StatementSubmission.objects.get().state == State.REFUSED


def test_leads_see_the_refusals_on_the_queue_list(client_for, lead, reviewer, refused):
    assert "1 refused" in client_for(lead).get("/queues/").content.decode()
    assert "refused" not in client_for(reviewer).get("/queues/").content.decode()
