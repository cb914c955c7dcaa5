"""What partners does when the core announces a change: API tokens end with the credentials
they were issued under."""

from django.dispatch import receiver

from partners.services import api_tokens_revoke_all
from portal.accounts.signals import credentials_changed


@receiver(credentials_changed)
def on_credentials_changed(sender, user, reason, request=None, **kwargs):
    api_tokens_revoke_all(user=user, reason=reason, request=request)
