import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from partners.demo import USERS, demo_password

# Each app adds its own demo data in <app>/demo.py, in this order.
DEMO_MODULES = ["partners.demo", "referrals.demo", "campaigns.demo", "training.demo"]


class Command(BaseCommand):
    help = "Create the demo organisations, people and sample data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates known passwords; it refuses to run with DEBUG off (use --force).")
        context: dict = {}
        with transaction.atomic():
            for name in DEMO_MODULES:
                try:
                    module = importlib.import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name != name:
                        raise
                    continue
                context.update(module.seed(context) or {})
        self.stdout.write(
            "Demo logins (password: %s):"
            % ("$DEMO_PASSWORD" if demo_password() != "demo-password" else "demo-password")
        )
        for email, _, _org, role in USERS:
            self.stdout.write(f"  {email:<22} {role}")
        self.stdout.write(f"  {'admin@demo.test':<22} superuser")
        self.stdout.write("MFA roles: get the current code with `python manage.py demo_totp EMAIL`.")
