"""Surfacing's data (SPEC §14): the `surfaced` queue and its rule, folded handles, the
co-referral weights of the referrals already filed, and the trigram indexes look-alikes use.

The rule "kind signal → surfaced" goes right after the rule for imminent threats, so an
imminent signal still reaches `urgent-threats`; the rules after it move down one place, and
whatever queue leads changed (names, conditions, boosts, order among themselves) is kept.
Run again, nothing changes: the queue and rule are found by slug and kind.

The trigram indexes are PostgreSQL only and not model indexes (an operator class), as in
0010: the look-alike detector asks them for the suspended accounts near a candidate, so they
hold the suspended accounts only (partial), a small part of all subjects: routing checks every
newly named account against them.
"""

from django.db import migrations
from django.db.models import Count

from referrals.engine.folding import fold_handle

SURFACED = ("surfaced", "Surfaced by the platform", 24 * 60, "Accounts the platform's own detectors found for review.")
RULE_NAME = "Surfaced by the platform"
INDEXES = {"subject_folded_account_trgm": "folded_account", "subject_folded_name_trgm": "folded_name"}


def queue_and_rule(apps):
    Queue = apps.get_model("referrals", "Queue")
    RoutingRule = apps.get_model("referrals", "RoutingRule")
    slug, name, sla, description = SURFACED
    queue, _ = Queue.objects.get_or_create(
        slug=slug, defaults={"name": name, "sla_minutes": sla, "description": description}
    )
    if any("signal" in (rule.kinds or []) for rule in RoutingRule.objects.all()):
        return
    rules = list(RoutingRule.objects.order_by("order", "pk"))
    imminent = next((r for r in rules if "imminent" in (r.severities or []) and not r.kinds), None)
    after = imminent.order if imminent else 0
    for rule in rules:
        if rule.order > after:
            rule.order += 1
            rule.save(update_fields=["order"])
    RoutingRule.objects.create(order=after + 1, name=RULE_NAME, queue=queue, kinds=["signal"])


def _folded(apps):
    Subject = apps.get_model("referrals", "Subject")
    batch = []
    for subject in Subject.objects.only("pk", "account").iterator(chunk_size=2000):
        subject.folded_account = fold_handle(subject.account)
        batch.append(subject)
        if len(batch) >= 2000:
            Subject.objects.bulk_update(batch, ["folded_account"])
            batch = []
    if batch:
        Subject.objects.bulk_update(batch, ["folded_account"])


def _links(apps):
    """Weights from the targets: per referral, each ordered pair of the subjects it names."""
    Target = apps.get_model("referrals", "Target")
    SubjectLink = apps.get_model("referrals", "SubjectLink")
    multi = (
        Target.objects.filter(subject__isnull=False)
        .values("referral_id")
        .annotate(n=Count("subject_id", distinct=True))
        .filter(n__gt=1)
        .values_list("referral_id", flat=True)
    )
    weights: dict = {}
    last: dict = {}
    rows = (
        Target.objects.filter(referral_id__in=multi, subject__isnull=False)
        .values_list("referral_id", "subject_id", "referral__received_at")
        .order_by("referral_id")
        .distinct()
    )
    by_referral: dict = {}
    for referral_id, subject_id, at in rows.iterator(chunk_size=5000):
        by_referral.setdefault(referral_id, (at, set()))[1].add(subject_id)
    for at, subjects in by_referral.values():
        for a in subjects:
            for b in subjects:
                if a != b:
                    weights[(a, b)] = weights.get((a, b), 0) + 1
                    last[(a, b)] = max(last.get((a, b), at), at)
    SubjectLink.objects.bulk_create(
        [SubjectLink(subject_id=a, other_id=b, weight=w, last_referred_at=last[(a, b)]) for (a, b), w in weights.items()],
        batch_size=2000,
        ignore_conflicts=True,
    )


def forwards(apps, schema_editor):
    queue_and_rule(apps)
    _folded(apps)
    _links(apps)
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(apps.get_model("referrals", "Subject")._meta.db_table)
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for index, column in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({column} gin_trgm_ops) "
                "WHERE suspended_at IS NOT NULL"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
    RoutingRule = apps.get_model("referrals", "RoutingRule")
    RoutingRule.objects.filter(name=RULE_NAME, kinds=["signal"]).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0011_surfacing")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
