import secrets
import uuid
from functools import reduce
from operator import or_

import pgtrigger
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


def new_security_stamp() -> str:
    return secrets.token_hex(16)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address. Organisation and role are in Membership."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    time_zone = models.CharField(max_length=64, blank=True, help_text=_("IANA time zone for times shown"))
    # Blank: the browser's language (Accept-Language) on pages, English in e-mails.
    language = models.CharField(max_length=8, blank=True, choices=settings.LANGUAGES)
    # The languages a reviewer reads (ISO 639-1 codes): claiming the next referral prefers them.
    reads_languages = models.JSONField(default=list, blank=True)
    # E-mail preferences (SPEC §19): {e-mail kind: true | false} for the kinds the person
    # changed from their role's default (portal.email_preferences); in-app notices are always on.
    email_preferences = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # The SHA-256 of the personal calendar feed's secret (training), never the secret itself.
    calendar_token = models.CharField(max_length=64, blank=True, db_index=True)
    # Part of the session hash: rotating it (on an MFA change) ends every other session.
    security_stamp = models.CharField(max_length=32, default=new_security_stamp, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    def __str__(self):
        return self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def _get_session_auth_hash(self, secret=None):
        return salted_hmac(
            "portal.User.session_auth_hash", self.password + self.security_stamp, secret=secret, algorithm="sha256"
        ).hexdigest()


APPEND_ONLY = "Audit events are append-only"


class AuditEventQuerySet(models.QuerySet):
    """Refuses the ORM's bulk writes, so no code path edits or deletes audit rows on any
    database. (Deleting an account still clears its link: that goes through the base manager.)"""

    def update(self, **kwargs):
        raise ValueError(APPEND_ONLY)

    def bulk_update(self, objs, fields, batch_size=None):
        raise ValueError(APPEND_ONLY)

    def delete(self):
        raise ValueError(APPEND_ONLY)

    delete.queryset_only = True


# The columns an UPDATE may not change. The two links may only be cleared (ON DELETE SET NULL of
# a deleted account or organisation); rewriting them would forge who acted, so that is refused.
_FROZEN = ("id", "at", "actor_email", "action", "object_type", "object_id", "ip", "data")
_REWRITTEN = reduce(
    or_,
    [pgtrigger.Q(**{f"old__{name}__df": pgtrigger.F(f"new__{name}")}) for name in _FROZEN]
    + [
        pgtrigger.Q(**{f"new__{name}__isnull": False, f"old__{name}__df": pgtrigger.F(f"new__{name}")})
        for name in ("actor", "organisation")
    ],
)


class AuditEvent(models.Model):
    """An append-only record of a sensitive read or write. Never edited or deleted by the app:
    the manager refuses bulk updates and deletes, and on PostgreSQL a trigger refuses UPDATE
    and DELETE from any client."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    organisation = models.ForeignKey(
        "partners.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        triggers = [
            pgtrigger.Protect(name="audit_append_only_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="audit_append_only_update", operation=pgtrigger.Update, condition=_REWRITTEN),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or 'system'} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(APPEND_ONLY)


class Notification(models.Model):
    """An in-app message for one user; the e-mail twin is sent by a task."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(default=timezone.now)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self):
        return self.subject
