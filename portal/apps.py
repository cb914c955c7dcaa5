from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        # Sign-in, failed sign-in and MFA changes come from Django and allauth as signals.
        from portal.accounts import receivers  # noqa: F401
