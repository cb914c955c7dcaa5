from io import StringIO

from django.core import mail
from django.core.management import call_command

from partners.services import invitation_create
from portal.models import User


def test_an_invited_person_accepts_the_invitation_and_signs_in(page, live_server, ngo, ngo_admin, settings):
    settings.PORTAL_BASE_URL = live_server.url
    invitation_create(by=ngo_admin, organisation=ngo, email=f"newcomer@{ngo.email_domains[0]}", role="ngo_member")
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/partners/invitations/" in line).strip()

    page.goto(link)
    assert page.get_by_label("Email").input_value() == f"newcomer@{ngo.email_domains[0]}"
    page.get_by_label("Your name").fill("Nia Newcomer")
    page.locator("#id_password1").fill("a-long-passphrase-42")
    page.locator("#id_password2").fill("a-long-passphrase-42")
    page.get_by_role("button", name="Sign Up").click()

    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Welcome, Nia Newcomer").is_visible()
    assert User.objects.get(email=f"newcomer@{ngo.email_domains[0]}").membership.organisation == ngo

    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(f"newcomer@{ngo.email_domains[0]}")
    page.get_by_label("Password").fill("a-long-passphrase-42")
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_text("NGO member at").is_visible()


def test_the_demo_reviewer_signs_in_with_the_demo_totp_code(page, live_server, routing_table):
    call_command("seed_demo", "--force", stdout=StringIO())
    out = StringIO()
    call_command("demo_totp", "reviewer@demo.test", stdout=out)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("reviewer@demo.test")
    page.get_by_label("Password").fill("demo-password")
    page.get_by_role("button", name="Sign In").click()
    page.get_by_label("Code").fill(out.getvalue().strip())
    page.get_by_role("button", name="Sign In").click()

    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Welcome, Sam Reviewer").is_visible()
    page.screenshot(path=str(live_server_screenshot_dir() / "reviewer-home.png"), full_page=True)


def live_server_screenshot_dir():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "var" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
