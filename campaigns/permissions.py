"""Named predicates about campaigns, shared by the pages and the API.

They assume the campaign was already fetched through `campaigns_visible_to` (or, for an
invitation, `campaign_invitations_for`): they answer "may do", never "may see".
Partnership lookups read `campaign.partners.all()`, so a prefetched campaign costs no query.
"""

from campaigns.models import CampaignPartner, PartnerRole, PartnerStatus
from portal.accounts.roles import is_ngo, is_platform, is_policy_staff, organisation_of


def can_manage_campaigns(user) -> bool:
    """Policy staff (and superusers) create campaigns, invite partners and change status."""
    return bool(getattr(user, "is_authenticated", False) and (is_policy_staff(user) or user.is_superuser))


def partnership_of(user, campaign) -> CampaignPartner | None:
    """The user's organisation's partnership in the campaign, whatever its status."""
    organisation = organisation_of(user)
    if organisation is None or not is_ngo(user):
        return None
    for partner in campaign.partners.all():
        if partner.organisation_id == organisation.pk:
            return partner
    return None


def is_accepted_partner(user, campaign) -> bool:
    partner = partnership_of(user, campaign)
    return partner is not None and partner.status == PartnerStatus.ACCEPTED


def is_lead_partner(user, campaign) -> bool:
    partner = partnership_of(user, campaign)
    return partner is not None and partner.status == PartnerStatus.ACCEPTED and partner.role == PartnerRole.LEAD


def can_answer_invitation(user, partner: CampaignPartner) -> bool:
    organisation = organisation_of(user)
    return is_ngo(user) and organisation is not None and organisation.pk == partner.organisation_id


def can_write_content(user, campaign) -> bool:
    """Members of accepted partner organisations write content; policy staff review it."""
    return is_accepted_partner(user, campaign)


def is_author_side(user, item) -> bool:
    """The author's organisation acts for the author (submit, edit, publish)."""
    organisation = organisation_of(user)
    return (
        organisation is not None
        and organisation.pk == item.organisation_id
        and is_accepted_partner(user, item.campaign)
    )


def can_review_content(user, item) -> bool:
    """Policy staff, or the lead partner on items other organisations wrote (no self-approval)."""
    if can_manage_campaigns(user):
        return True
    organisation = organisation_of(user)
    return is_lead_partner(user, item.campaign) and organisation.pk != item.organisation_id


def can_withdraw_content(user, item) -> bool:
    return is_author_side(user, item) or can_manage_campaigns(user)


def can_report_metrics(user, campaign) -> bool:
    return can_manage_campaigns(user) or is_accepted_partner(user, campaign)


def can_see_context(user, campaign) -> bool:
    return can_manage_campaigns(user) or is_accepted_partner(user, campaign)


def can_see_campaigns(user) -> bool:
    """NGOs take part in campaigns and the platform runs them; law enforcement has no part."""
    return is_ngo(user) or is_platform(user)
