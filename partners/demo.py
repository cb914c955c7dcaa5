"""Demo organisations and people (SPEC §11). Everything here is fictitious."""

import os

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model

from partners.models import Membership, Organisation, OrganisationKind, Role
from portal.accounts.roles import requires_mfa

ORGANISATIONS = {
    "peace-voices": dict(
        name="Peace Voices Network",
        kind=OrganisationKind.NGO,
        country="GB",
        verified=True,
        trusted_flagger=True,
        email_domains=["demo.test"],
    ),
    "civic-resilience": dict(
        name="Civic Resilience Lab",
        kind=OrganisationKind.NGO,
        country="DE",
        verified=True,
        trusted_flagger=False,
        email_domains=["demo.test"],
    ),
    "northbridge-ctru": dict(
        name="Northbridge Police Counter-Terrorism Referral Unit",
        kind=OrganisationKind.LAW_ENFORCEMENT,
        country="GB",
        verified=True,
        email_domains=["demo.test"],
    ),
    "platform-ts": dict(
        name="Platform Trust & Safety",
        kind=OrganisationKind.PLATFORM,
        country="IE",
        verified=True,
        email_domains=["demo.test"],
    ),
}

USERS = [
    ("ngo@demo.test", "Nadia Okafor", "peace-voices", Role.NGO_MEMBER),
    ("ngo-admin@demo.test", "Tom Whitfield", "peace-voices", Role.NGO_ADMIN),
    ("ngo2@demo.test", "Lena Vogel", "civic-resilience", Role.NGO_MEMBER),
    ("liaison@demo.test", "DS Priya Raman", "northbridge-ctru", Role.LE_LIAISON),
    ("reviewer@demo.test", "Sam Reviewer", "platform-ts", Role.REVIEWER),
    ("lead@demo.test", "Alex Lead", "platform-ts", Role.QUEUE_LEAD),
    ("policy@demo.test", "Morgan Policy", "platform-ts", Role.POLICY_STAFF),
    ("ngo-fr@demo.test", "Camille Laurent", "civic-resilience", Role.NGO_MEMBER),
    ("ngo-ar@demo.test", "Amina Haddad", "peace-voices", Role.NGO_MEMBER),
]

# The demo speaks all three languages at once: these partners read the portal and their
# e-mails in French and in Arabic, with times in their own zones; everyone else in English.
PREFERENCES = {
    "ngo-fr@demo.test": ("fr", "Europe/Paris", "/referrals/new/: the portal in French"),
    "ngo-ar@demo.test": ("ar", "Asia/Amman", "/referrals/new/: the portal in Arabic, right to left"),
}


# What each persona might try first, printed with the logins at the end of seed_demo.
FIRST_JOURNEY = {
    Role.NGO_MEMBER: "/referrals/new/: file a notice, then follow it",
    Role.NGO_ADMIN: "/partners/peace-voices/: invite a colleague",
    Role.LE_LIAISON: "/: the open removal order on its 60-minute clock",
    Role.REVIEWER: "/queues/: claim the next referral and decide it",
    Role.QUEUE_LEAD: "/routing/rules/: try a referral against the rules",
    Role.POLICY_STAFF: "/campaigns/: approve a partner's content",
}


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD", "demo-password")


def _user(email: str, name: str, *, superuser: bool = False):
    User = get_user_model()
    user, created = User.objects.get_or_create(email=email, defaults={"name": name})
    if created:
        user.set_password(demo_password())
        user.is_superuser = user.is_staff = superuser
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _enrol_totp(user) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
        RecoveryCodes.activate(user)


def seed(context: dict) -> dict:
    organisations = {}
    for slug, fields in ORGANISATIONS.items():
        organisations[slug], _ = Organisation.objects.update_or_create(slug=slug, defaults=fields)
    users = {}
    for email, name, org_slug, role in USERS:
        user = _user(email, name)
        Membership.objects.update_or_create(user=user, defaults={"organisation": organisations[org_slug], "role": role})
        users[email] = user
    users["admin@demo.test"] = _user("admin@demo.test", "Demo Administrator", superuser=True)
    for email, (language, time_zone, _journey) in PREFERENCES.items():
        get_user_model().objects.filter(email=email).update(language=language, time_zone=time_zone)
    for user in users.values():
        user.refresh_from_db()
        if requires_mfa(user):
            _enrol_totp(user)
    logins = [
        (email, str(role.label), PREFERENCES[email][2] if email in PREFERENCES else FIRST_JOURNEY[role])
        for email, _name, _org, role in USERS
    ]
    logins.append(("admin@demo.test", "Superuser", "/admin/: every record"))
    return {"organisations": organisations, "users": users, "logins": logins}
