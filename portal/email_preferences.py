"""Which e-mails each person gets (SPEC §19): every e-mail template is of one kind, each role
has a default per kind, and a person may turn a kind on or off. In-app notifications are
always created; only the e-mail follows these choices.

`User.email_preferences` keeps only the kinds a person changed from their role's default, so a
better default later reaches everyone who never chose. Account and security e-mails
(invitations, platform role changes, a webhook that failed) are always sent and never offered.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.accounts.roles import NGO_ROLES, PLATFORM_ROLES, Role, membership_of
from portal.audit import audit


@dataclass(frozen=True)
class EmailKind:
    code: str
    label: str | Promise
    help_text: str | Promise


# In the order the preferences page lists them.
KINDS: tuple[EmailKind, ...] = (
    EmailKind(
        "decisions",
        _("Decisions"),
        _("A referral of your organisation was actioned, found no violation, rejected or closed as a duplicate."),
    ),
    EmailKind(
        "status",
        _("Other progress on referrals"),
        _("Referrals received (one by one or in bulk), routed, in review, information requested, withdrawn."),
    ),
    EmailKind("messages", _("Messages"), _("A new message on a referral you work on or your organisation filed.")),
    EmailKind(
        "clock",
        _("Pages, deadlines and escalations"),
        _("Emergency pages, referrals past their deadline and referrals escalated to the queue leads."),
    ),
    EmailKind(
        "productions", _("Data delivered"), _("Data the platform produced for your agency is ready to download.")
    ),
    EmailKind(
        "preservation",
        _("Holds ending"),
        _("A preservation, or a hold under a removal order, for your agency is about to end."),
    ),
    EmailKind(
        "appeals", _("Appeals"), _("An appeal or complaint about your organisation's referral was received or decided.")
    ),
    EmailKind("bulletins", _("Incident bulletins"), _("Bulletins the platform posts during an incident.")),
    EmailKind("notices", _("Threat notices"), _("The platform reports a threat to life or safety to your agency.")),
    EmailKind(
        "training",
        _("Training events"),
        _("Reminders and changes for events you registered for, and a seat that became yours."),
    ),
    EmailKind(
        "campaigns",
        _("Campaigns"),
        _("Invitations to campaigns and the review of your organisation's campaign content."),
    ),
)
KIND_CODES = frozenset(kind.code for kind in KINDS)
# Security and account e-mails: always sent, never offered.
ACCOUNT = "account"

# Every template in templates/emails/ and its kind (a test checks none is missing).
TEMPLATE_KIND: dict[str, str] = {
    "appeal_decided": "appeals",
    "appeal_received": "appeals",
    "application_declined": ACCOUNT,
    "bulk_received": "status",
    "bulletin": "bulletins",
    "campaign_content_approved": "campaigns",
    "campaign_content_changes": "campaigns",
    "campaign_invitation": "campaigns",
    "deadline_breached": "clock",
    "invitation": ACCOUNT,
    "message_received": "messages",
    "outbound_notice": "notices",
    "page": "clock",
    "page_again": "clock",
    "platform_role_changed": ACCOUNT,
    "preservation_expiring": "preservation",
    "production_ready": "productions",
    "referral_escalated": "clock",
    "referral_received": "status",
    "referral_status": "status",  # "decisions" when the new status is a decision (email_kind)
    "tco_hold_expiring": "preservation",
    "training_event_changed": "training",
    "training_promoted": "training",
    "training_reminder": "training",
    # The organisation's webhook stopped delivering: its admin must hear of it.
    "webhook_failed": ACCOUNT,
}

# Referral statuses that are the platform's decision on it (referrals.choices.Status).
DECIDED_STATUSES = frozenset({"actioned", "no_violation", "rejected", "duplicate"})

_PARTNER = ("decisions", "status", "messages", "appeals", "bulletins", "training")
# The kinds that reach each role: the ones its preferences page offers.
ROLE_KINDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(NGO_ROLES, (*_PARTNER, "campaigns")),
    Role.LE_LIAISON: (*_PARTNER[:3], "productions", "preservation", "notices", *_PARTNER[3:]),
    **dict.fromkeys(PLATFORM_ROLES, ("messages", "clock", "training")),
}
# A default is on unless listed here: everyone keeps the e-mails they had until they choose.
# (Not NGO members' "status": the confirmation of receipt, DSA Art. 16(4), and the progress
# of the referrals they filed reach them by e-mail unless they turn it off.)
DEFAULT_OFF: dict[str, frozenset[str]] = {}
# The kinds whose default depends on the role: only these need the recipient's role.
ROLE_DEPENDENT = frozenset().union(*DEFAULT_OFF.values())


def email_kind(template: str, context: dict | None = None) -> str:
    """The kind of the e-mail `template` (rendered with `context`). Unknown templates are
    treated as account e-mails: always sent."""
    kind = TEMPLATE_KIND.get(template, ACCOUNT)
    if template == "referral_status" and context:
        referral = context.get("referral")
        if context.get("decision") is not None or getattr(referral, "status", None) in DECIDED_STATUSES:
            return "decisions"
    return kind


def kinds_for(role: str | None) -> list[EmailKind]:
    """The kinds offered to `role` (a person without a role: every kind)."""
    codes = ROLE_KINDS.get(role, tuple(KIND_CODES)) if role else tuple(KIND_CODES)
    return [kind for kind in KINDS if kind.code in codes]


def default_for(role: str | None, kind: str) -> bool:
    return kind not in DEFAULT_OFF.get(role or "", frozenset())


def _stored(user) -> dict:
    stored = getattr(user, "email_preferences", None)
    return stored if isinstance(stored, dict) else {}


def effective(user, kind: str, *, role: str | None = None) -> bool:
    """Whether `user` gets e-mails of `kind`: their own choice, else their role's default."""
    if kind == ACCOUNT or kind not in KIND_CODES:
        return True
    choice = _stored(user).get(kind)
    if isinstance(choice, bool):
        return choice
    if kind not in ROLE_DEPENDENT:
        return default_for(None, kind)
    if role is None:
        membership = membership_of(user)
        role = membership.role if membership else None
    return default_for(role, kind)


def wants_email(user, template: str, context: dict | None = None) -> bool:
    """Whether `user` wants the e-mail `template` (in-app notifications are always made)."""
    return effective(user, email_kind(template, context))


def _membership_loaded(user) -> bool:
    descriptor = getattr(type(user), "membership", None)
    is_cached = getattr(descriptor, "is_cached", None)
    return bool(is_cached and is_cached(user))


def users_wanting(users, kind: str) -> set:
    """The primary keys of `users` who want e-mails of `kind`.

    Reads the preferences on the user rows already loaded; it queries only for what they lack:
    preferences left out of the rows (`.only()`), or the role, for a kind whose default depends
    on it, of users whose membership was not loaded with them (one query each case)."""
    users = list(users)
    if kind == ACCOUNT or kind not in KIND_CODES:
        return {user.pk for user in users}
    model = get_user_model()
    deferred = [u.pk for u in users if isinstance(u, model) and "email_preferences" in u.get_deferred_fields()]
    loaded = dict(model.objects.filter(pk__in=deferred).values_list("pk", "email_preferences")) if deferred else {}
    wanting, undecided = set(), []
    for user in users:
        stored = loaded.get(user.pk) if user.pk in loaded else _stored(user)
        choice = (stored or {}).get(kind)
        if isinstance(choice, bool):
            if choice:
                wanting.add(user.pk)
        else:
            undecided.append(user)
    if kind not in ROLE_DEPENDENT:
        return wanting | {u.pk for u in undecided} if default_for(None, kind) else wanting
    missing = [u.pk for u in undecided if isinstance(u, model) and not _membership_loaded(u)]
    roles = dict(model.objects.filter(pk__in=missing).values_list("pk", "membership__role")) if missing else {}
    for user in undecided:
        if user.pk in roles:
            role = roles[user.pk]
        else:
            membership = membership_of(user)
            role = membership.role if membership else None
        if default_for(role, kind):
            wanting.add(user.pk)
    return wanting


def email_choices(user) -> dict[str, bool]:
    """Each kind offered to `user` and whether they get it now."""
    membership = membership_of(user)
    role = membership.role if membership else None
    return {kind.code: effective(user, kind.code, role=role) for kind in kinds_for(role)}


@transaction.atomic
def user_set_email_preferences(*, user, choices: dict[str, bool], request=None):
    """Save which of the kinds offered to `user` they get by e-mail: only the choices that
    differ from their role's default are stored (kinds not offered are left as they are).
    Audited when something changes."""
    membership = membership_of(user)
    role = membership.role if membership else None
    offered = [kind.code for kind in kinds_for(role)]
    before = dict(_stored(user))
    after = {code: value for code, value in before.items() if code in KIND_CODES and code not in offered}
    for code in offered:
        value = bool(choices.get(code, effective(user, code, role=role)))
        if value != default_for(role, code):
            after[code] = value
    if after != before:
        user.email_preferences = after
        user.save(update_fields=["email_preferences"])
        audit("user.email_preferences", actor=user, obj=user, request=request, before=before, after=after)
    return user


__all__ = [
    "ACCOUNT",
    "KINDS",
    "TEMPLATE_KIND",
    "EmailKind",
    "default_for",
    "effective",
    "email_choices",
    "email_kind",
    "kinds_for",
    "user_set_email_preferences",
    "users_wanting",
    "wants_email",
]
