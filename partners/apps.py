from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners"

    def ready(self):
        # A password or MFA change, announced by the core, revokes the person's API tokens.
        from partners import receivers  # noqa: F401
