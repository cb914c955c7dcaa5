import pytest

from campaigns import services
from campaigns.models import CampaignPartner
from partners.models import Role
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.models import Notification
from tests.campaigns.conftest import add_partner, campaign_in, make_campaign
from tests.factories import make_member


def test_inviting_an_ngo_emails_its_members_after_commit(
    policy, ngo, ngo_member, ngo_admin, django_capture_on_commit_callbacks, mailoutbox
):
    campaign = make_campaign(policy)
    with django_capture_on_commit_callbacks(execute=True):
        partner = services.partner_invite(by=policy, campaign=campaign, organisation=ngo, role="lead")
    assert (partner.status, partner.role) == ("invited", "lead")
    assert sorted(m.to[0] for m in mailoutbox) == sorted([ngo_member.email, ngo_admin.email])
    assert campaign.title in mailoutbox[0].subject
    assert f"/campaigns/{campaign.slug}/" in mailoutbox[0].body
    assert Notification.objects.filter(user=ngo_member, link=f"/campaigns/{campaign.slug}/").exists()


def test_only_ngos_can_be_invited(policy, agency, platform):
    campaign = make_campaign(policy)
    for organisation in (agency, platform):
        with pytest.raises(DomainError) as exc:
            services.partner_invite(by=policy, campaign=campaign, organisation=organisation, role="contributor")
        assert exc.value.field == "organisation"
    assert not CampaignPartner.objects.exists()


def test_only_policy_staff_invite(policy, ngo, ngo_member, other_ngo):
    campaign = make_campaign(policy)
    add_partner(policy, campaign, ngo, "lead", ngo_member)
    with pytest.raises(NotAllowed):
        services.partner_invite(by=ngo_member, campaign=campaign, organisation=other_ngo, role="contributor")


def test_a_campaign_has_one_lead(policy, ngo, other_ngo):
    campaign = make_campaign(policy)
    add_partner(policy, campaign, ngo, "lead")
    with pytest.raises(DomainError) as exc:
        services.partner_invite(by=policy, campaign=campaign, organisation=other_ngo, role="lead")
    assert exc.value.field == "role"


def test_an_organisation_is_invited_once(policy, ngo):
    campaign = make_campaign(policy)
    add_partner(policy, campaign, ngo, "contributor")
    with pytest.raises(DomainError):
        services.partner_invite(by=policy, campaign=campaign, organisation=ngo, role="contributor")


def test_a_declined_lead_frees_the_place_and_can_be_invited_again(policy, ngo, ngo_member, other_ngo):
    campaign = make_campaign(policy)
    partner = add_partner(policy, campaign, ngo, "lead")
    services.partner_decline(by=ngo_member, partner=partner)
    add_partner(policy, campaign, other_ngo, "lead")
    again = services.partner_invite(by=policy, campaign=campaign, organisation=ngo, role="contributor")
    assert (again.pk, again.status, again.role) == (partner.pk, "invited", "contributor")


def test_members_of_the_invited_organisation_accept(policy, ngo, ngo_admin):
    campaign = make_campaign(policy)
    partner = add_partner(policy, campaign, ngo, "contributor")
    services.partner_accept(by=ngo_admin, partner=partner)
    partner.refresh_from_db()
    assert (partner.status, partner.responded_by) == ("accepted", ngo_admin)


@pytest.mark.parametrize("persona", ["other_ngo_member", "policy", "liaison"])
def test_nobody_else_answers_an_invitation(request, policy, ngo, persona):
    campaign = make_campaign(policy)
    partner = add_partner(policy, campaign, ngo, "contributor")
    with pytest.raises(NotAllowed):
        services.partner_accept(by=request.getfixturevalue(persona), partner=partner)
    assert CampaignPartner.objects.get(pk=partner.pk).status == "invited"


@pytest.mark.parametrize("first", ["accept", "decline"])
@pytest.mark.parametrize("second", ["accept", "decline"])
def test_an_invitation_is_answered_once(policy, ngo, ngo_member, first, second):
    campaign = make_campaign(policy)
    partner = add_partner(policy, campaign, ngo, "contributor")
    getattr(services, f"partner_{first}")(by=ngo_member, partner=partner)
    with pytest.raises(TransitionError):
        getattr(services, f"partner_{second}")(by=ngo_member, partner=partner)


def test_a_completed_campaign_takes_no_new_partners(policy, ngo, ngo_member, other_ngo):
    campaign = campaign_in("completed", policy=policy, lead_org=ngo, lead_user=ngo_member)
    with pytest.raises(TransitionError):
        services.partner_invite(by=policy, campaign=campaign, organisation=other_ngo, role="contributor")


def test_an_invitation_to_an_archived_campaign_cannot_be_accepted(policy, ngo, ngo_member, other_ngo):
    campaign = make_campaign(policy)
    partner = add_partner(policy, campaign, other_ngo, "contributor")
    services.campaign_change_status(by=policy, campaign=campaign, status="archived")
    member = make_member(other_ngo, Role.NGO_MEMBER)
    with pytest.raises(TransitionError):
        services.partner_accept(by=member, partner=partner)
