from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from partners.models import ApiToken, Invitation, Membership, Organisation, PartnerApplication, Role
from portal.accounts.roles import is_platform, is_policy_staff, organisation_of


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """Platform staff see every organisation; partners see their own."""
    if is_platform(user) or getattr(user, "is_superuser", False):
        return Organisation.objects.all()
    organisation = organisation_of(user)
    if organisation is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=organisation.pk)


def members_of(organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("user__email")


def pending_invitations(*, organisation=None) -> QuerySet[Invitation]:
    qs = Invitation.objects.filter(status=Invitation.Status.PENDING, expires_at__gt=timezone.now())
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("organisation", "invited_by")


def applications_visible_to(user) -> QuerySet[PartnerApplication]:
    if is_policy_staff(user):
        return PartnerApplication.objects.all()
    return PartnerApplication.objects.none()


def api_tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def queue_leads():
    """The active queue leads: they are alerted when a platform role changes (SPEC §2)."""
    return get_user_model().objects.filter(membership__role=Role.QUEUE_LEAD, is_active=True)
