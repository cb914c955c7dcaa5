"""0 axe-core violations on every page and state people reach (SPEC §20): each role's pages on
the demo data, forms sent back with errors (title, error summary linked to each field and
focused), empty states, on a phone and a desktop, in English and in Arabic (right-to-left).

A failure lists, by page and state, `<rule> (<impact>): <help> — <element>` for each element."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from campaigns.models import Campaign, ContentItem
from campaigns.services import partner_invite
from partners.demo import demo_password
from partners.models import Organisation, Role
from partners.services import application_submit, invitation_create
from portal.models import User
from referrals.crisis.services.bulletins import bulletin_post
from referrals.crisis.services.incidents import incident_close, incident_declare
from referrals.intake.services import bulk
from referrals.models import Appeal, Incident, Queue, Referral, RoutingRule, Subject
from referrals.review.services.claims import referral_claim
from tests.browser.a11y import CLEAR_FORM, Audit
from tests.conftest import login
from tests.factories import OrganisationFactory, make_member
from tests.referrals.factories import make_referral
from training.models import Event

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# Both languages and both widths, in two runs of each tour: the other two pairings (English on a
# phone, Arabic on a desktop) found nothing these two did not, and would double the run time.
LOOKS = {"en-desktop": ("en", DESKTOP), "ar-phone": ("ar", PHONE)}
EMAILS = {
    "ngo_member": "ngo@demo.test",
    "ngo_admin": "ngo-admin@demo.test",
    "le_liaison": "liaison@demo.test",
    "reviewer": "reviewer@demo.test",
    "queue_lead": "lead@demo.test",
    "policy_staff": "policy@demo.test",
}
PERSONAS = ["anonymous", *EMAILS, "new_partner"]


# --- Each persona's pages ------------------------------------------------------------------------


def anonymous(audit: Audit, _user) -> None:
    admin = User.objects.get(email=EMAILS["ngo_admin"])
    _, token = invitation_create(
        by=admin, organisation=admin.membership.organisation, email="new.colleague@demo.test", role=Role.NGO_MEMBER
    )
    audit.visit("/accounts/login/")
    audit.submit_form_with_errors("/accounts/login/")
    audit.visit("/accounts/password/reset/")
    audit.submit_form_with_errors("/accounts/password/reset/")
    audit.visit("/accounts/signup/")  # closed without an invitation
    audit.submit_with_errors("/partners/apply/", prepare=_value("country", "ZZ"))
    _apply(audit.page)
    audit.scan("/partners/apply/ (sent)")
    audit.visit("/transparency/")
    audit.visit("/no-such-page/", status=404)
    audit.visit("/partners/invitations/not-a-token/", status=410)
    # The second step of a sign-in with two factors.
    audit.visit("/accounts/login/")
    audit.page.locator("input[name=login]").fill(EMAILS["reviewer"])
    audit.page.locator("input[name=password]").fill(demo_password())
    _submit(audit.page)
    audit.scan("/accounts/2fa/authenticate/")
    audit.submit_form_with_errors("/accounts/2fa/authenticate/")
    # An invitation's link leads to the sign-up form (in a fresh session: the one above is half signed in).
    audit.page.context.clear_cookies()
    audit.visit(f"/partners/invitations/{token}/", state="to /accounts/signup/")
    audit.submit_form_with_errors("/accounts/signup/")


def ngo_member(audit: Audit, user) -> None:
    mine = Referral.objects.filter(submitted_by=user)
    waiting = mine.get(status="needs_info")
    decided = mine.filter(status="actioned").first()
    campaign = Campaign.objects.get(slug="voices-of-return")
    item = ContentItem.objects.filter(campaign=campaign, organisation=user.membership.organisation).first()
    event = Event.objects.filter(registrations__user=user).order_by("starts_at").first()
    _invite(user, "hope-over-hate")
    # A CSV with one good row and one refused.
    rows = bulk.csv_template().splitlines()
    csv = "\n".join([*rows[:2], rows[1].replace("terrorist_recruitment", "not_a_category")]) + "\n"
    job = bulk.bulk_job_create(user=user, items=bulk.parse_csv(csv.encode()))
    incident = _incident()  # its banner on every page from here on

    _home(audit)
    # Crisis mode (SPEC §18): the active incidents, and one's title, summary and bulletins.
    audit.visit("/incidents/")
    audit.visit(f"/incidents/{incident.slug}/")
    audit.visit("/referrals/")
    audit.visit(f"/referrals/{waiting.reference}/")
    # An empty answer comes back as a message on the referral page.
    reply = f"form[action='/referrals/{waiting.reference}/messages/']"
    audit.page.locator(reply).evaluate(CLEAR_FORM)
    _submit(audit.page, reply)
    audit.scan(f"/referrals/{waiting.reference}/ (message)")
    audit.visit(f"/referrals/{waiting.reference}/withdraw/")
    audit.visit(f"/referrals/{decided.reference}/")
    # Appeals (SPEC §16): the form on a decided referral's page, sent back with errors; an
    # appeal decided and the referral decided again.
    appealable, story = _appeals(user)
    audit.visit(f"/referrals/{appealable.reference}/", state="with the appeal form")
    audit.submit_form_with_errors(f"/referrals/{appealable.reference}/appeal/", "form[action$='/appeal/']")
    audit.visit(f"/referrals/{story.reference}/", state="appealed, reversed and decided again")
    audit.submit_with_errors("/referrals/new/")
    audit.submit_with_errors("/referrals/bulk/")
    audit.visit(f"/referrals/bulk/{job.pk}/")
    audit.visit("/training/new/", status=403)
    audit.visit("/campaigns/")
    audit.visit(f"/campaigns/{campaign.slug}/")
    audit.visit(f"/campaigns/{campaign.slug}/content/{item.pk}/")
    audit.submit_with_errors(f"/campaigns/{campaign.slug}/content/new/")
    audit.visit(f"/campaigns/{campaign.slug}/metrics/")
    audit.visit("/campaigns/hope-over-hate/")  # an invitation to answer
    audit.visit("/campaigns/calendar/")
    audit.visit("/training/")
    audit.visit(f"/training/{event.slug}/")
    audit.visit("/training/calendar/")
    audit.visit("/training/settings/")
    audit.visit(f"/partners/{user.membership.organisation.slug}/")
    audit.visit("/notifications/")
    audit.submit_with_errors("/account/preferences/", prepare=_value("time_zone", "Nowhere/Atlantis"))
    audit.visit("/accounts/2fa/")
    audit.visit("/accounts/2fa/totp/activate/")  # asks for the password again first


def ngo_admin(audit: Audit, user) -> None:
    organisation = user.membership.organisation
    _home(audit)
    audit.visit(f"/partners/{organisation.slug}/")
    remove = audit.page.locator("main a[href$='/remove/']").first.get_attribute("href")
    audit.submit_with_errors(f"/partners/{organisation.slug}/invite/")
    audit.page.locator("main input[name=email]").fill(f"someone@{organisation.email_domains[0]}")
    _submit(audit.page)
    audit.scan(f"/partners/{organisation.slug}/ (invitation pending)")
    audit.visit(remove)
    audit.submit_with_errors("/account/api-tokens/")
    audit.page.locator("main form[method=post] input[name=name]").fill("Reporting script")
    _submit(audit.page)
    audit.scan("/account/api-tokens/ (new token shown)")
    audit.visit("/referrals/")


def le_liaison(audit: Audit, user) -> None:
    mine = Referral.objects.filter(submitted_by=user)
    order = mine.filter(kind="removal_order", status="actioned").first()
    open_order = mine.filter(kind="removal_order", status="routed").first()
    preservation = mine.filter(kind="preservation_request").first()
    _home(audit)
    audit.visit("/referrals/")
    audit.visit(f"/referrals/{order.reference}/")
    audit.visit(f"/referrals/{order.reference}/feedback/")
    audit.visit(f"/referrals/{open_order.reference}/")
    audit.visit(f"/referrals/{preservation.reference}/")
    audit.submit_with_errors("/referrals/new/", prepare=_value("kind", "removal_order"))
    audit.visit("/outbound-notices/")  # threat notices to their agency (SPEC §17): none yet
    audit.visit("/accounts/2fa/")


def reviewer(audit: Audit, user) -> None:
    referral = Referral.objects.filter(status="routed", kind="notice").first()
    referral = referral_claim(by=user, referral=referral)
    subject = Subject.objects.filter(targets__referral=referral).first() or Subject.objects.first()
    _home(audit)
    audit.visit("/queues/")
    audit.visit(f"/queues/{referral.queue.slug}/")
    audit.visit(f"/referrals/{referral.reference}/")
    audit.submit_form_with_errors(f"/referrals/{referral.reference}/", "form[aria-labelledby=decide-h]")
    audit.visit(f"/subjects/{subject.pk}/")
    audit.visit(f"/subjects/{subject.pk}/?select=1")
    # Networks and hubs (SPEC §14).
    audit.visit(f"/subjects/{subject.pk}/network/")
    audit.visit("/subjects/hubs/")
    audit.visit("/subjects/hubs/?days=0", status=400, state="a window out of range")
    # The workbench: notes, the search, a filtered work list, the bulk decision of a selection.
    audit.visit(f"/referrals/{referral.reference}/notes/")
    audit.visit(f"/subjects/?q={subject.account}")
    audit.visit("/subjects/?q=zzzz-nobody")
    audit.visit(f"/queues/{referral.queue.slug}/?kind=notice&language=xx")
    audit.visit("/referrals/")
    audit.visit("/routing/rules/")
    # Appeals and complaints (SPEC §16): the lists, an open appeal with its decision form (sent
    # back with errors, then the reversal's confirmation), a complaint and its form.
    _appeal_pages(audit, user)
    open_appeal = Appeal.objects.get(source="notifier", status="open")
    audit.submit_with_errors(f"/appeals/{open_appeal.pk}/", "form[action^='/appeals/']")
    audit.page.get_by_label(gettext("Reverse the decision")).check()
    audit.page.locator("form[action^='/appeals/'] textarea[name=statement]").fill(
        "Read again with the appeal: the account archives the videos for researchers."
    )
    _submit(audit.page, "form[action^='/appeals/']")
    audit.scan(f"/appeals/{open_appeal.pk}/ (confirm the reversal)")
    complained = Appeal.objects.get(source="account_holder", status="open").referral
    audit.submit_with_errors(f"/referrals/{complained.reference}/complaint/")
    # Threat notices to agencies (SPEC §17), and an incident's live page (SPEC §18).
    audit.visit("/outbound-notices/")
    audit.submit_with_errors("/outbound-notices/new/")
    audit.visit(f"/incidents/{_incident().slug}/")
    audit.visit("/notifications/")
    audit.visit("/account/preferences/")
    audit.visit("/accounts/2fa/")


def queue_lead(audit: Audit, user) -> None:
    queue = Queue.objects.filter(members__isnull=False).order_by("pk").first()
    rule = RoutingRule.objects.order_by("pk").first()
    in_review = Referral.objects.filter(status="in_review", assignee=user).first()
    _home(audit)
    audit.visit("/queues/")
    audit.submit_with_errors(f"/queues/{queue.slug}/edit/")
    audit.visit("/routing/rules/")
    audit.visit(
        "/routing/rules/?kind=notice&category=other&severity=high&submitter_kind=ngo&corroborating_organisations=0"
    )
    audit.submit_with_errors(f"/routing/rules/{rule.pk}/")
    audit.visit("/routing/rules/new/")
    audit.visit(f"/routing/rules/{rule.pk}/delete/")
    audit.visit("/statements-of-reasons/")
    # The demo's open appeal contests the lead's own decision: the page says someone else decides.
    _appeal_pages(audit, user)
    audit.visit(f"/referrals/{in_review.reference}/")
    audit.visit(f"/partners/{user.membership.organisation.slug}/")
    # The leads' workbench pages: templates, exposure, insights.
    audit.visit("/queues/templates/")
    audit.submit_with_errors("/queues/templates/new/")
    audit.visit("/queues/exposure/")
    audit.visit("/queues/insights/")
    audit.visit(
        "/queues/insights/?start=2026-01-10&end=2026-01-01", status=400, state="a period ending before it starts"
    )
    # A selection from the work list, decided at once.
    audit.visit(f"/queues/{queue.slug}/")
    audit.page.locator("input[name=referrals]").first.check()
    with audit.page.expect_navigation():
        audit.page.locator("form[action$='/decisions/bulk/'] button[type=submit]").last.click()
    audit.scan(f"/decisions/bulk/ (a selection from {queue.slug})")
    # A hub's network, and accounts chosen there to decide their open referrals at once.
    hub = Subject.objects.order_by("-referral_count", "pk").first()
    audit.visit(f"/subjects/{hub.pk}/network/")
    audit.page.locator("input[name=subjects]").first.check()
    with audit.page.expect_navigation():
        audit.page.locator("form.network-select button[type=submit]").click()
    audit.scan(f"/subjects/{hub.pk}/network/decide/")
    _incident_pages(audit, user)


def _incident_pages(audit: Audit, user) -> None:
    """Crisis mode (SPEC §18): no incident yet; the declaration sent back with errors, then its
    confirmation; the live page with a referral and a bulletin; closing it; the report."""
    audit.visit("/incidents/", state="none declared")
    audit.submit_with_errors("/incidents/new/")
    for name, value in INCIDENT.items():
        audit.page.locator(f"main [name={name}]").fill(value)
    audit.page.locator("main input[name=level][value='1']").check()
    _submit(audit.page)
    audit.scan("/incidents/new/ (confirm the declaration)")
    with audit.page.expect_navigation():
        audit.page.locator("main button[name=confirmed]").click()
    incident = Incident.objects.get(title=INCIDENT["title"])
    live = f"/incidents/{incident.slug}/"
    audit.scan(f"{live} (just declared)")
    _incident_surge(incident, user)
    audit.visit(live, state="a referral and a bulletin")
    audit.visit(f"{live}close/")
    audit.visit(f"{live}report/", state="so far")
    incident_close(by=user, incident=incident)
    audit.visit(live, state="closed, with its report")
    audit.visit("/incidents/")


def policy_staff(audit: Audit, user) -> None:
    campaign = Campaign.objects.get(slug="voices-of-return")
    item = ContentItem.objects.filter(campaign=campaign, status="in_review").first()
    event = Event.objects.filter(organiser=user, registrations__isnull=False).order_by("starts_at").first()
    # An event that has taken place, so its organiser marks attendance.
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=2, hours=-2)
    )
    application = application_submit(
        organisation_name="Harbour Youth Trust",
        kind="ngo",
        country="PT",
        email_domain="harbour.test",
        contact_name="Rita Sousa",
        contact_email="rita@harbour.test",
        description="Youth work against online radicalisation in coastal towns.",
    )
    other = Organisation.objects.exclude(pk=user.membership.organisation.pk).order_by("slug").first()
    _home(audit)
    audit.visit("/campaigns/")
    audit.submit_with_errors("/campaigns/new/")
    audit.visit(f"/campaigns/{campaign.slug}/")
    audit.visit(f"/campaigns/{campaign.slug}/edit/")
    audit.visit(f"/campaigns/{campaign.slug}/content/{item.pk}/")
    audit.submit_with_errors(f"/campaigns/{campaign.slug}/metrics/", "form[action$='/metrics/']")
    audit.submit_form_with_errors(f"/campaigns/{campaign.slug}/metrics/upload/", "form[action$='/metrics/upload/']")
    audit.submit_with_errors("/training/new/")
    audit.visit(f"/training/{event.slug}/")
    audit.visit(f"/training/{event.slug}/edit/")
    audit.visit("/partners/")
    audit.visit(f"/partners/applications/{application.pk}/accept/")
    audit.visit(f"/partners/{other.slug}/")
    audit.visit("/transparency/")
    _appeal_pages(audit, user)
    incident = _incident()
    audit.visit("/incidents/")
    audit.visit(f"/incidents/{incident.slug}/")
    audit.visit("/outbound-notices/new/")


def new_partner(audit: Audit, user) -> None:
    # A member of an organisation that has just joined: nothing filed, no campaign yet.
    _home(audit)
    audit.visit("/referrals/")
    audit.visit("/campaigns/")
    audit.visit("/notifications/")
    audit.visit("/account/api-tokens/")


TOURS = {
    tour.__name__: tour
    for tour in (anonymous, ngo_member, ngo_admin, le_liaison, reviewer, queue_lead, policy_staff, new_partner)
}


def _value(name: str, value: str) -> str:
    """JS giving the form's field `name` the value `value` (adding it to a select's options)."""
    return f"""form => {{
      const el = form.elements[{name!r}];
      if (el.tagName === "SELECT" && ![...el.options].some(o => o.value === {value!r})) {{
        el.add(new Option({value!r}, {value!r}));
      }}
      el.value = {value!r};
      el.dispatchEvent(new Event("change", {{bubbles: true}}));
    }}"""


def _appeals(user) -> tuple[Referral, Referral]:
    """The redress demo's states (idempotent, so a demo that has them already is unchanged), and
    of `user`'s referrals one that can be appealed and the one appealed, reversed and decided again."""
    from referrals.redress import demo as redress_demo

    redress_demo.seed({"users": {u.email: u for u in User.objects.filter(email__endswith="@demo.test")}})
    mine = Referral.objects.filter(organisation=user.membership.organisation)
    appealable = mine.filter(status__in=["actioned", "no_violation"], appeals__isnull=True).order_by("seq").first()
    story = mine.filter(appeals__outcome="reversed").first()
    return appealable, story


def _appeal_pages(audit: Audit, user) -> None:
    """/appeals/ (open, decided) and an open appeal's, a complaint's and a decided appeal's pages."""
    _appeals(user)
    audit.visit("/appeals/")
    audit.visit("/appeals/?status=decided")
    for appeal in (
        Appeal.objects.get(source="notifier", status="open"),
        Appeal.objects.get(source="account_holder", status="open"),
        Appeal.objects.filter(status="decided").first(),
    ):
        audit.visit(f"/appeals/{appeal.pk}/")


INCIDENT = {
    "title": "Harbour mosque attack, 3 March",
    "summary": "A gunman attacked the harbour mosque and streamed it live; the recording is being re-uploaded.",
    "keywords": "Tidewater manifesto",
    "urls": "https://x.com/tidewater_gunman/status/7001",
}


def _incident() -> Incident:
    """An active incident, declared by the demo's lead, with a bulletin and a referral routed to it."""
    lead = User.objects.get(email=EMAILS["queue_lead"])
    incident = incident_declare(
        by=lead,
        title="Riverside market attack",
        summary="An attacker streamed an assault on the riverside market; copies are spreading.",
        level=2,
        keywords=["riverside livestream"],
        urls=["https://x.com/riverside_attacker"],
    )
    _incident_surge(incident, lead)
    return incident


def _incident_surge(incident: Incident, lead) -> None:
    """A partner's referral using the incident's first keyword (routed to it as it is filed),
    and a bulletin of two lines."""
    partner = User.objects.get(email=EMAILS["ngo_member"])
    explanation = f"The account reposts the {incident.keywords[0]} with a call to repeat the attack."
    make_referral(partner, explanation=explanation, targets=[{"url": "https://x.com/echo_account/status/42"}])
    body = "Report re-uploads of the attack video, one referral per account.\nDo not share the recording yourselves."
    bulletin_post(by=lead, incident=incident, body=body)


def _home(audit: Audit) -> None:
    """The home page, and on a phone its menu unfolded too."""
    audit.visit("/")
    if audit.page.viewport_size["width"] < 720:
        audit.page.locator(".nav-toggle").click()
        audit.scan("/ (menu open)")


def _submit(page, form: str = "main form[method=post]") -> None:
    with page.expect_navigation():
        page.locator(form).first.locator("button[type=submit]").first.click()


def _apply(page) -> None:
    """Fill in the partner application as an applicant would, and send it."""
    values = {
        "organisation_name": "Harbour Youth Trust",
        "country": "PT",
        "email_domain": "harbour.test",
        "contact_name": "Rita Sousa",
        "contact_email": "rita@harbour.test",
        "description": "Youth work against online radicalisation in coastal towns.",
    }
    for name, value in values.items():
        page.locator(f"main [name={name}]").fill(value)
    page.locator("main select[name=kind]").select_option("ngo")
    _submit(page)


def _invite(user, campaign_slug: str) -> None:
    campaign = Campaign.objects.get(slug=campaign_slug)
    policy = User.objects.get(email=EMAILS["policy_staff"])
    partner_invite(by=policy, campaign=campaign, organisation=user.membership.organisation, role="contributor")


# --- The test ------------------------------------------------------------------------------------


@pytest.fixture
def demo(routing_table):
    call_command("seed_demo", "--force", stdout=StringIO())


def _persona(name: str):
    if name == "anonymous":
        return None
    if name == "new_partner":
        return make_member(OrganisationFactory(name="Riverside Youth Forum", slug="riverside-youth"), Role.NGO_MEMBER)
    return User.objects.get(email=EMAILS[name])


@pytest.mark.parametrize("look", LOOKS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_and_state_has_no_axe_violations(browser, live_server, demo, persona, look):
    language, viewport = LOOKS[look]
    user = _persona(persona)
    context = browser.new_context(viewport=viewport, locale=language, timezone_id="Europe/London")
    if user is not None:
        session = login(Client(), user).cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        with translation.override(language):
            audit = Audit(page, live_server.url, language=language, error_prefix=gettext("Error:"))
            TOURS[persona](audit, user)
    finally:
        context.close()
    if audit.findings:
        pytest.fail(f"{persona}, {look}: axe or the form checks failed on\n{audit.report()}", pytrace=False)
