from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from partners.services import api_token_issue
from portal.errors import DomainError


class Command(BaseCommand):
    help = "Issue an API token for a user and print the token alone on stdout."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--days", type=int, default=None)
        parser.add_argument("--name", default="command line")

    def handle(self, *args, email: str, days: int | None, name: str, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the address {email}.")
        try:
            _, token = api_token_issue(user=user, name=name, days=days)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(token)
