import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.roles import OrganisationKind, Role
from portal.countries import validate_country_code

# Which roles an organisation of each kind may hold.
ROLES_BY_KIND = {
    OrganisationKind.NGO: (Role.NGO_MEMBER, Role.NGO_ADMIN),
    OrganisationKind.LAW_ENFORCEMENT: (Role.LE_LIAISON,),
    OrganisationKind.PLATFORM: (Role.REVIEWER, Role.QUEUE_LEAD, Role.POLICY_STAFF),
}


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    country = models.CharField(
        max_length=2, blank=True, validators=[validate_country_code], help_text=_("ISO 3166-1 alpha-2")
    )
    verified = models.BooleanField(default=False)
    trusted_flagger = models.BooleanField(default=False)
    email_domains = models.JSONField(default=list, blank=True)
    website = models.URLField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trusted_flagger=False) | models.Q(kind="ngo"),
                name="organisation_trusted_flagger_is_ngo",
            )
        ]

    def __str__(self):
        return self.name

    def accepts_email(self, email: str) -> bool:
        """True when `email` is on one of the organisation's domains (or it has none)."""
        if not self.email_domains:
            return True
        domain = email.rsplit("@", 1)[-1].lower()
        return domain in {d.lower().lstrip("@") for d in self.email_domains}


class Membership(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "user__email"]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self):
        return f"Invitation for {self.email} to {self.organisation}"

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class PartnerApplication(models.Model):
    """A public "Become a partner" request, accepted or declined by policy staff."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    organisation_name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=20,
        choices=[(kind.value, kind.label) for kind in (OrganisationKind.NGO, OrganisationKind.LAW_ENFORCEMENT)],
    )
    country = models.CharField(max_length=2, validators=[validate_country_code])
    website = models.URLField(blank=True)
    email_domain = models.CharField(max_length=253)
    contact_name = models.CharField(max_length=150)
    contact_email = models.EmailField()
    description = models.TextField(max_length=3000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.organisation_name


class ApiToken(models.Model):
    """A Bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at


# --- Webhooks (SPEC §19) -------------------------------------------------------------------------


class WebhookEvent(models.TextChoices):
    REFERRAL_STATUS_CHANGED = "referral.status_changed", _("A referral's status changed")
    REFERRAL_DECIDED = "referral.decided", _("A referral was decided")
    MESSAGE_CREATED = "message.created", _("A message was written on a referral")
    APPEAL_DECIDED = "appeal.decided", _("An appeal was decided")
    PRODUCTION_READY = "production.ready", _("Data was delivered (a production is ready)")
    INCIDENT_BULLETIN = "incident.bulletin", _("An incident bulletin was posted")


class Webhook(models.Model):
    """An organisation's endpoint that hears about its referrals. `secret` signs each delivery
    (HMAC-SHA256); it is shown once, when created or rotated."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    secret = models.CharField(max_length=80)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Webhook {self.url} of {self.organisation_id}"


class WebhookDelivery(models.Model):
    """One event for one webhook. Its `id` is the event id in the payload: a receiver drops a
    repeat by it. Claimed for sending with a lease (`leased_until`), so a worker killed mid-send
    leaves it to be sent again after the lease, never twice within it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    type = models.CharField(max_length=40, choices=WebhookEvent.choices)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    leased_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        indexes = [
            models.Index(fields=["webhook", "-created_at"], name="delivery_webhook_recent"),
            # The sweeper reads only what is still to send.
            models.Index(fields=["next_attempt_at"], name="delivery_due", condition=Q(state="pending")),
        ]

    def __str__(self):
        return f"{self.type} to {self.webhook_id} ({self.state})"
