"""The main navigation per persona: which links each kind of person is offered (SPEC §2).

The links come from the named predicates through `dashboards.context_processors.nav`; these
tests pin the rendered result, so a change of a predicate shows up here as a change of menu.
"""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from dashboards.context_processors import nav
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ACCOUNT = [
    ("Notifications", "/notifications/"),
    ("API tokens", "/account/api-tokens/"),
    ("Preferences", "/account/preferences/"),
    ("Security", "/accounts/2fa/"),
]


class _HeaderLinks(HTMLParser):
    """The (text, href) of every link inside the page's <header>, but the brand."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._in_header = False
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "header":
            self._in_header = True
        elif tag == "a" and self._in_header and "brand" not in (attrs.get("class") or ""):
            self._href, self._text = attrs.get("href"), ""

    def handle_endtag(self, tag):
        if tag == "header":
            self._in_header = False
        elif tag == "a" and self._href is not None:
            self.links.append((" ".join(self._text.split()), self._href))
            self._href = None

    def handle_data(self, data):
        if self._href is not None:
            self._text += data


def nav_links(response) -> list[tuple[str, str]]:
    parser = _HeaderLinks()
    parser.feed(response.content.decode())
    return parser.links


def _main(*links):
    return [("Home", "/"), *links, ("Transparency", "/transparency/")]


EXPECTED = {
    "ngo_member": _main(
        ("Referrals", "/referrals/"),
        ("Incidents", "/incidents/"),
        ("Campaigns", "/campaigns/"),
        ("Training", "/training/"),
        ("Peace Voices Test", "/partners/peace-voices-test/"),
    ),
    "liaison": _main(
        ("Requests", "/referrals/"),
        ("Threat notices", "/outbound-notices/"),
        ("Incidents", "/incidents/"),
        ("Training", "/training/"),
        ("Test Police Unit", "/partners/test-police/"),
    ),
    "reviewer": _main(
        ("Queues", "/queues/"),
        ("Hubs", "/subjects/hubs/"),
        ("Referrals", "/referrals/"),
        ("Appeals", "/appeals/"),
        ("Threat notices", "/outbound-notices/"),
        ("Incidents", "/incidents/"),
        ("Campaigns", "/campaigns/"),
        ("Training", "/training/"),
        ("Platform T&S", "/partners/platform-ts-test/"),
    ),
    "policy": _main(
        ("Queues", "/queues/"),
        ("Hubs", "/subjects/hubs/"),
        ("Referrals", "/referrals/"),
        ("Appeals", "/appeals/"),
        ("Threat notices", "/outbound-notices/"),
        ("Incidents", "/incidents/"),
        ("Campaigns", "/campaigns/"),
        ("Training", "/training/"),
        ("Partners", "/partners/"),
    ),
}
EXPECTED["ngo_admin"] = EXPECTED["ngo_member"]
EXPECTED["unverified_liaison"] = _main(
    ("Requests", "/referrals/"),
    ("Threat notices", "/outbound-notices/"),
    ("Training", "/training/"),
    ("New Police Unit", "/partners/new-police/"),
)
EXPECTED["lead"] = EXPECTED["reviewer"]


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_persona_is_offered_the_links_of_its_role(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get("/")
    assert response.status_code == 200
    assert nav_links(response) == [*EXPECTED[persona], *ACCOUNT]


def test_someone_without_an_organisation_is_offered_only_what_everyone_has(client_for):
    response = client_for(UserFactory(email="nobody@example.test")).get("/")
    assert nav_links(response) == [*_main(("Training", "/training/")), *ACCOUNT]


def test_the_anonymous_are_offered_the_public_pages_and_the_sign_in(client):
    response = client.get("/transparency/")
    assert response.status_code == 200
    assert nav_links(response) == [
        ("Transparency", "/transparency/"),
        ("Become a partner", "/partners/apply/"),
        ("Sign in", "/accounts/login/"),
    ]


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_every_offered_link_opens(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    for _, href in nav_links(client.get("/")):
        assert client.get(href).status_code == 200, href


# --- The context processor --------------------------------------------------------------------

NOTHING = {
    "can_file": False,
    "files_requests": False,
    "can_see_queues": False,
    "can_see_campaigns": False,
    "can_see_events": False,
    "can_manage_organisations": False,
    "sees_outbound_notices": False,
    "sees_incidents": False,
}
# Members of verified partner organisations see the active incidents (SPEC §18).
NGO = {**NOTHING, "can_file": True, "can_see_campaigns": True, "can_see_events": True, "sees_incidents": True}
# Outbound notices (SPEC §17): platform staff send them, an agency's liaisons read theirs.
LIAISON = {
    **NOTHING,
    "can_file": True,
    "files_requests": True,
    "can_see_events": True,
    "sees_outbound_notices": True,
    "sees_incidents": True,
}
PLATFORM = {
    **NOTHING,
    "can_see_queues": True,
    "can_see_campaigns": True,
    "can_see_events": True,
    "sees_outbound_notices": True,
    "sees_incidents": True,
}
NAV = {
    "ngo_member": NGO,
    "ngo_admin": NGO,
    "other_ngo_member": NGO,
    "liaison": LIAISON,
    "unverified_liaison": {**LIAISON, "sees_incidents": False},
    # Reviewers and leads file signals (SPEC §14); their list is still the platform's "Referrals".
    "reviewer": {**PLATFORM, "can_file": True},
    "lead": {**PLATFORM, "can_file": True},
    "policy": {**PLATFORM, "can_manage_organisations": True},
}


def _nav_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return nav(request)["nav"]


@pytest.mark.parametrize("persona", sorted(NAV))
def test_the_nav_offers_each_persona_what_its_predicates_allow(request, persona):
    assert _nav_for(request.getfixturevalue(persona)) == NAV[persona]


def test_the_nav_offers_the_anonymous_nothing():
    assert _nav_for(AnonymousUser()) == NOTHING


def test_the_nav_offers_someone_without_an_organisation_only_the_schedule(db):
    assert _nav_for(UserFactory(email="nobody@example.test")) == {**NOTHING, "can_see_events": True}


def test_the_nav_costs_no_query_once_the_membership_is_read(django_assert_num_queries, policy):
    policy.membership.organisation  # what the portal context processor reads anyway
    with django_assert_num_queries(0):
        _nav_for(policy)


def test_the_base_template_asks_the_nav_not_the_role():
    source = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    assert "nav.can_see_queues" in source
    assert "role ==" not in source
    assert "role !=" not in source
