from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account (only @demo.test addresses)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        email = email.strip().lower()
        if not email.endswith("@demo.test"):
            raise CommandError("demo_totp works only for @demo.test accounts.")
        authenticator = Authenticator.objects.filter(user__email=email, type=Authenticator.Type.TOTP).first()
        if authenticator is None:
            raise CommandError(f"{email} has no TOTP device; run seed_demo first.")
        from allauth.mfa import app_settings

        counter = int(timezone.now().timestamp()) // app_settings.TOTP_PERIOD
        secret = decrypt(authenticator.data["secret"])
        self.stdout.write(format_hotp_value(hotp_value(secret, counter)))
