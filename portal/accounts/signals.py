"""Signals of the core that apps act on without the core knowing them."""

from django.dispatch import Signal

# A person's credentials changed (`reason`: "password_change" or "mfa_change"), so whatever
# stands in for a sign-in (API tokens, in partners) must stop working. Arguments: `user`,
# `reason`, `request` (None outside a request).
credentials_changed = Signal()
