import os
import sys

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import autodiscover_modules


def _seeds():
    """Each app's `demo.seed(context)`, in INSTALLED_APPS order (core imports no app)."""
    autodiscover_modules("demo")
    for config in apps.get_app_configs():
        module = sys.modules.get(f"{config.name}.demo")
        if module is not None and hasattr(module, "seed"):
            yield module.seed


class Command(BaseCommand):
    help = "Create the demo organisations, people and sample data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates known passwords; it refuses to run with DEBUG off (use --force).")
        context: dict = {}
        with transaction.atomic():
            for seed in _seeds():
                context.update(seed(context) or {})
        logins = context.get("logins", [])
        password = "$DEMO_PASSWORD" if os.environ.get("DEMO_PASSWORD") else "demo-password"
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password: {password})")
        width = max((len(email) for email, *_ in logins), default=0)
        role_width = max((len(role) for _, role, _ in logins), default=0)
        for email, role, journey in logins:
            self.stdout.write(f"  {email:<{width}}  {role:<{role_width}}  {journey}")
        self.stdout.write("Two-factor roles: `make totp EMAIL=reviewer@demo.test` prints the current code.")
