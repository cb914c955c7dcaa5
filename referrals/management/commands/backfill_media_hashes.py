from django.core.management.base import BaseCommand

from referrals.intake.services.evidence import evidence_path
from referrals.surfacing.services.media import media_hashes_backfill


class Command(BaseCommand):
    help = (
        "Compute the PDQ hash of image evidence that has none (stored before near-duplicate "
        "detection, or not readable then) and whose file is still kept. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, batch_size: int, **options):
        done = media_hashes_backfill(path_of=lambda e: evidence_path(e.stored_name), batch_size=max(batch_size, 1))
        self.stdout.write(
            f"Hashed {done.hashed} image evidence files ({done.unreadable} unreadable, "
            f"{done.missing} without their file)."
        )
