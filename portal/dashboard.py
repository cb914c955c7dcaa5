"""What each role sees on the home page.

Each app may offer `<app>/dashboard.py` with `home_sections(user) -> list[tuple[str, dict]]`:
a template to include and its context. The home page shows them in app order.
"""

import importlib

from partners.selectors import applications_visible_to, members_of, pending_invitations
from portal.accounts.roles import is_policy_staff, membership_of

SECTION_MODULES = ["referrals.dashboard", "campaigns.dashboard", "training.dashboard"]


def _app_sections(user) -> list[tuple[str, dict]]:
    sections = []
    for name in SECTION_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        sections.extend(module.home_sections(user))
    return sections


def context_for(user) -> dict:
    membership = membership_of(user)
    context: dict = {"membership": membership, "sections": _app_sections(user)}
    if membership is not None:
        organisation = membership.organisation
        context["members"] = members_of(organisation)[:20]
        context["member_count"] = organisation.memberships.count()
    if is_policy_staff(user):
        context["pending_applications"] = applications_visible_to(user).filter(status="pending")[:10]
        context["pending_invitations"] = pending_invitations()[:10]
    return context
