"""A campaign with every kind of participant, built through the services users go through."""

import datetime as dt

import pytest
from django.utils import timezone

from campaigns import services
from campaigns.models import CampaignStatus, ContentStatus
from partners.models import Role
from tests.factories import OrganisationFactory, make_member

TODAY = timezone.localdate()
START = TODAY - dt.timedelta(days=10)
END = TODAY + dt.timedelta(days=20)


@pytest.fixture
def invited_org(db):
    return OrganisationFactory(name="Invited NGO", slug="invited-ngo")


@pytest.fixture
def invited_member(invited_org):
    return make_member(invited_org, Role.NGO_MEMBER)


@pytest.fixture
def outsider_org(db):
    return OrganisationFactory(name="Uninvited NGO", slug="uninvited-ngo")


@pytest.fixture
def outsider(outsider_org):
    return make_member(outsider_org, Role.NGO_MEMBER)


@pytest.fixture
def lead_member(ngo_member):
    """A member of the lead partner (the `ngo` organisation)."""
    return ngo_member


@pytest.fixture
def contributor(other_ngo_member):
    """A member of the contributing partner (the `other_ngo` organisation)."""
    return other_ngo_member


def make_campaign(policy, *, title="Voices of Return", **extra):
    fields = dict(
        title=title,
        start_date=START,
        end_date=END,
        summary="Former extremists tell their stories.",
        channels=["instagram", "youtube"],
        languages=["en", "de"],
        countries=["GB", "DE"],
        hashtags=["VoicesOfReturn"],
        themes=["terrorist_recruitment", "propaganda"],
    )
    fields.update(extra)
    return services.campaign_create(by=policy, **fields)


def add_partner(policy, campaign, organisation, role, member=None):
    partner = services.partner_invite(by=policy, campaign=campaign, organisation=organisation, role=role)
    if member is not None:
        partner = services.partner_accept(by=member, partner=partner)
    return partner


@pytest.fixture
def draft_campaign(policy):
    return make_campaign(policy)


@pytest.fixture
def campaign(policy, ngo, lead_member, other_ngo, contributor, invited_org, invited_member):
    """Active, with an accepted lead (ngo), an accepted contributor (other_ngo), an open invitation."""
    campaign = make_campaign(policy)
    add_partner(policy, campaign, ngo, "lead", lead_member)
    add_partner(policy, campaign, other_ngo, "contributor", contributor)
    add_partner(policy, campaign, invited_org, "contributor")
    return services.campaign_change_status(by=policy, campaign=campaign, status=CampaignStatus.ACTIVE)


# How to reach each campaign status from draft, through the services.
CAMPAIGN_PATHS = {
    CampaignStatus.DRAFT: [],
    CampaignStatus.ACTIVE: [CampaignStatus.ACTIVE],
    CampaignStatus.PAUSED: [CampaignStatus.ACTIVE, CampaignStatus.PAUSED],
    CampaignStatus.COMPLETED: [CampaignStatus.ACTIVE, CampaignStatus.COMPLETED],
    CampaignStatus.ARCHIVED: [CampaignStatus.ACTIVE, CampaignStatus.COMPLETED, CampaignStatus.ARCHIVED],
}


def campaign_in(status, *, policy, lead_org, lead_user):
    campaign = make_campaign(policy, title=f"Campaign {status}")
    add_partner(policy, campaign, lead_org, "lead", lead_user)
    for step in CAMPAIGN_PATHS[status]:
        campaign = services.campaign_change_status(by=policy, campaign=campaign, status=step)
    return campaign


def draft_item(campaign, author, **extra):
    fields = dict(
        title="Story of Amal", body="A short film script.", channel="instagram", language="en", planned_for=TODAY
    )
    fields.update(extra)
    return services.content_item_create(by=author, campaign=campaign, **fields)


# How to reach each content status from a draft written by the contributor, through the services.
def item_in(status, *, campaign, author, reviewer, **extra):
    item = draft_item(campaign, author, **extra)
    if status == ContentStatus.DRAFT:
        return item
    if status == ContentStatus.WITHDRAWN:
        return services.content_item_withdraw(by=author, item=item)
    item = services.content_item_submit(by=author, item=item)
    if status == ContentStatus.IN_REVIEW:
        return item
    if status == ContentStatus.CHANGES_REQUESTED:
        return services.content_item_request_changes(by=reviewer, item=item, comment="Shorter, please.")
    item = services.content_item_approve(by=reviewer, item=item)
    if status == ContentStatus.APPROVED:
        return item
    return services.content_item_publish(by=author, item=item, published_url="https://example.org/post/1")
