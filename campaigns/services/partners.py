"""Partner organisations in a campaign: invitations and their answers."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import (
    Campaign,
    CampaignPartner,
    CampaignStatus,
    PartnerRole,
    PartnerStatus,
)
from campaigns.permissions import (
    can_answer_invitation,
    can_manage_campaigns,
)
from partners.models import Organisation, OrganisationKind
from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.queueing import enqueue_on_commit

# --- Partners ---------------------------------------------------------------------------------


@transaction.atomic
def partner_invite(*, by, campaign: Campaign, organisation: Organisation, role: str, request=None) -> CampaignPartner:
    """Invite an NGO as lead or contributor; its members are told by e-mail after commit."""

    if not can_manage_campaigns(by):
        raise NotAllowed(_("Only policy staff invite campaign partners."))
    if role not in PartnerRole.values:
        raise DomainError(_("Choose lead or contributor."), field="role")
    if organisation.kind != OrganisationKind.NGO:
        raise DomainError(_("Only NGOs can partner in a campaign."), field="organisation")
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.is_closed:
        raise TransitionError(_("A completed or archived campaign takes no new partners."))
    existing = CampaignPartner.objects.select_for_update().filter(campaign=campaign, organisation=organisation).first()
    if existing is not None and existing.status != PartnerStatus.DECLINED:
        raise DomainError(
            _("%(organisation)s is already %(status)s in this campaign.")
            % {"organisation": organisation.name, "status": existing.get_status_display().lower()},
            field="organisation",
        )
    if role == PartnerRole.LEAD:
        other_lead = (
            campaign.partners.filter(role=PartnerRole.LEAD)
            .exclude(status=PartnerStatus.DECLINED)
            .exclude(organisation=organisation)
            .select_related("organisation")
            .first()
        )
        if other_lead is not None:
            raise DomainError(
                _("%(organisation)s is already the lead partner.") % {"organisation": other_lead.organisation.name},
                field="role",
            )
    if existing is None:
        partner = CampaignPartner.objects.create(campaign=campaign, organisation=organisation, role=role, invited_by=by)
    else:
        partner = existing
        partner.role = role
        partner.status = PartnerStatus.INVITED
        partner.invited_by = by
        partner.invited_at = timezone.now()
        partner.responded_by = None
        partner.responded_at = None
        partner.save()
    audit(
        "campaign.partner_invite",
        actor=by,
        obj=campaign,
        organisation=organisation,
        request=request,
        partner=organisation.slug,
        role=role,
    )
    enqueue_on_commit("campaigns.tasks.notify_partner_invited", partner.pk)
    return partner


def _answer(*, by, partner: CampaignPartner, status: str, request=None) -> CampaignPartner:
    if not can_answer_invitation(by, partner):
        raise NotAllowed(_("Only members of the invited organisation answer this invitation."))
    partner = CampaignPartner.objects.select_for_update().select_related("campaign").get(pk=partner.pk)
    if partner.status != PartnerStatus.INVITED:
        raise TransitionError(
            _("This invitation was already %(status)s.") % {"status": partner.get_status_display().lower()}
        )
    if partner.campaign.status == CampaignStatus.ARCHIVED:
        raise TransitionError(_("This campaign is archived."))
    partner.status = status
    partner.responded_by = by
    partner.responded_at = timezone.now()
    partner.save(update_fields=["status", "responded_by", "responded_at"])
    audit(
        f"campaign.partner_{'accept' if status == PartnerStatus.ACCEPTED else 'decline'}",
        actor=by,
        obj=partner.campaign,
        organisation=partner.organisation,
        request=request,
        role=partner.role,
    )
    return partner


@transaction.atomic
def partner_accept(*, by, partner: CampaignPartner, request=None) -> CampaignPartner:
    return _answer(by=by, partner=partner, status=PartnerStatus.ACCEPTED, request=request)


@transaction.atomic
def partner_decline(*, by, partner: CampaignPartner, request=None) -> CampaignPartner:
    return _answer(by=by, partner=partner, status=PartnerStatus.DECLINED, request=request)


def partner_notify_invited(*, partner: CampaignPartner) -> None:
    """Tell the invited organisation's members (in-app and by e-mail)."""
    from portal.notifications import notify_users

    if partner.status != PartnerStatus.INVITED:
        return
    members = [m.user for m in partner.organisation.memberships.select_related("user")]
    notify_users(
        members,
        "campaign_invitation",
        {"partner": partner, "campaign": partner.campaign, "organisation": partner.organisation},
        link=f"/campaigns/{partner.campaign.slug}/",
    )


__all__ = [
    "partner_accept",
    "partner_decline",
    "partner_invite",
    "partner_notify_invited",
]
