"""What a first-time user meets: the sign-in page, the error pages, the demo's closing table."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_does_not_ask_people_to_sign_up_on_an_invitation_only_portal(client):
    page = client.get("/accounts/login/").content.decode()
    assert "sign up" not in page.lower()
    assert "invited members" in page
    assert 'href="/partners/apply/"' in page


def test_an_unknown_address_answers_a_branded_404(client_for, ngo_member):
    response = client_for(ngo_member).get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert 'class="topbar"' in page


def test_a_forbidden_page_answers_a_branded_403(client_for, policy):
    response = client_for(policy).get("/referrals/new/")
    assert response.status_code == 403
    assert "You can't do that here" in response.content.decode()


def test_a_server_error_answers_a_branded_500_that_needs_no_database():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_seed_demo_ends_with_a_short_table_of_logins_and_first_journeys(routing_table):
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    table = lines[-12:]
    assert table[0].startswith("Demo logins (password: demo-password)")
    assert any("reviewer@demo.test" in line and "claim the next referral" in line for line in table)
    assert any("admin@demo.test" in line and "Superuser" in line for line in table)
    assert any("ngo-ar@demo.test" in line and "Arabic" in line for line in table)
    assert "make totp EMAIL=" in table[-1]
