from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self):
        # The webhook payloads are built by the API's serializers, which the services below
        # them may not import: the API registers its builders with them here.
        from referrals.api import webhooks  # noqa: F401
