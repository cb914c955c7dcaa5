"""Irreversible actions ask for confirmation and look different (SPEC §20): the page offers a
danger-styled link to a confirmation step, which changes nothing until its form is sent."""

import re

import pytest

from partners.models import Membership, PartnerApplication
from referrals.models import Referral, RoutingRule
from tests.partners.test_applications import APPLICATION
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(client):
    client.post("/partners/apply/", APPLICATION)
    return PartnerApplication.objects.get()


def _withdraw(request):
    member = request.getfixturevalue("ngo_member")
    referral = make_referral(member)
    url = f"/referrals/{referral.reference}/withdraw/"
    return member, f"/referrals/{referral.reference}/", url, lambda: Referral.objects.get(pk=referral.pk).status


def _delete_rule(request):
    lead = request.getfixturevalue("lead")
    rule = RoutingRule.objects.get(order=6)
    return lead, "/routing/rules/", f"/routing/rules/{rule.pk}/delete/", lambda: RoutingRule.objects.count()


def _remove_member(request):
    admin, member, ngo = (request.getfixturevalue(name) for name in ("ngo_admin", "ngo_member", "ngo"))
    url = f"/partners/{ngo.slug}/members/{member.membership.pk}/remove/"
    return admin, f"/partners/{ngo.slug}/", url, lambda: Membership.objects.count()


def _decide_application(answer):
    def build(request):
        policy, application = request.getfixturevalue("policy"), request.getfixturevalue("application")
        url = f"/partners/applications/{application.pk}/{answer}/"
        return policy, "/partners/", url, lambda: PartnerApplication.objects.get(pk=application.pk).status

    return build


ACTIONS = {
    "withdraw a referral": (_withdraw, "Yes, withdraw it"),
    "delete a routing rule": (_delete_rule, "Yes, delete the rule"),
    "remove a member": (_remove_member, "Yes, remove them"),
    "accept an application": (_decide_application("accept"), "Yes, accept and invite"),
    "decline an application": (_decide_application("decline"), "Yes, decline it"),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_an_irreversible_action_asks_for_confirmation_first(request, client_for, action):
    build, button = ACTIONS[action]
    person, origin, url, state = build(request)
    client = client_for(person)
    before = state()

    page = client.get(origin).content.decode()
    trigger = re.search(rf'<a class="[^"]*button-danger[^"]*" href="{re.escape(url)}"', page)
    assert trigger, f"{origin} offers no danger-styled link to {url}"
    assert f'action="{url}"' not in page  # no one-click form left on the page

    confirm = client.get(url)
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "This cannot be undone." in body
    assert re.search(rf'<button type="submit" class="button button-danger">{button}</button>', body)
    assert f'action="{url}"' in body
    assert state() == before

    assert client.post(url).status_code == 302
    assert state() != before


def test_only_the_submitter_is_asked_to_confirm_a_withdrawal(client_for, ngo_member, reviewer, other_ngo_member):
    referral = make_referral(ngo_member)
    url = f"/referrals/{referral.reference}/withdraw/"

    assert client_for(reviewer).get(url).status_code == 403
    assert client_for(other_ngo_member).get(url).status_code == 404


def test_others_get_no_confirmation_pages(client_for, reviewer, policy, ngo_member, ngo_admin, ngo, application):
    rule = RoutingRule.objects.get(order=6)
    assert client_for(reviewer).get(f"/routing/rules/{rule.pk}/delete/").status_code == 403
    remove = f"/partners/{ngo.slug}/members/{ngo_admin.membership.pk}/remove/"
    assert client_for(ngo_member).get(remove).status_code == 403
    assert client_for(ngo_admin).get(f"/partners/applications/{application.pk}/accept/").status_code == 404
    assert client_for(policy).get(f"/partners/applications/{application.pk}/maybe/").status_code == 404
