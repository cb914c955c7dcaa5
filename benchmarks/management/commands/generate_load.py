"""`manage.py generate_load --referrals N`: fictitious load data for `make bench`.

See benchmarks/load.py for the shape of the data. Rows are written with COPY on
PostgreSQL (executemany elsewhere), a batch per transaction, with progress on stdout.
"""

from django.core.management.base import BaseCommand, CommandError

from benchmarks import cast, load


class Command(BaseCommand):
    help = "Fill the database with N fictitious referrals over two years (load-* organisations)."

    def add_arguments(self, parser):
        parser.add_argument("--referrals", type=int, required=True, help="How many referrals to add")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (same seed, same shape)")
        parser.add_argument("--batch", type=int, default=5000, help="Referrals written per transaction")
        parser.add_argument("--reset", action="store_true", help="Delete the generated data first")

    def handle(self, *args, referrals, seed, batch, reset, **options):
        if referrals < 0:
            raise CommandError("--referrals must be zero or more.")
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        if reset:
            cast.reset(log=self.stdout.write)
        if referrals == 0:
            return
        self.stdout.write(f"Generating {referrals:,} referrals (seed {seed}, batches of {batch:,})…")
        counts = load.Generator(referrals=referrals, seed=seed, batch=batch, log=self.stdout.write).run()
        summary = ", ".join(f"{v:,} {k}" for k, v in counts.items() if k != "seconds")
        self.stdout.write(self.style.SUCCESS(f"Done in {counts['seconds']}s: {summary}."))
