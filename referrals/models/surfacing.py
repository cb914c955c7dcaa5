"""Surfacing (SPEC §14): what the platform's own detectors keep to find accounts for review.

Platform-only data: scores, matches and networks never reach a partner (tests walk every
partner-facing surface).
"""

from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A PDQ hash is 256 bits, kept as 16 chunks of 16 bits, each indexed: two hashes within
# Hamming distance d < 16·(r+1) agree within r bits on at least one chunk (pigeonhole), so
# a lookup reads only the hashes sharing a chunk value near the query's, not all of them.
PDQ_CHUNKS = 16
PDQ_CHUNK_BITS = 16


class MediaHash(models.Model):
    """The perceptual hash of one image evidence, computed at upload."""

    evidence = models.OneToOneField("referrals.Evidence", on_delete=models.CASCADE, related_name="media_hash")
    pdq = models.CharField(max_length=64, help_text=_("PDQ hash, 256 bits as 64 hexadecimal digits"))
    quality = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)
    c0 = models.PositiveIntegerField()
    c1 = models.PositiveIntegerField()
    c2 = models.PositiveIntegerField()
    c3 = models.PositiveIntegerField()
    c4 = models.PositiveIntegerField()
    c5 = models.PositiveIntegerField()
    c6 = models.PositiveIntegerField()
    c7 = models.PositiveIntegerField()
    c8 = models.PositiveIntegerField()
    c9 = models.PositiveIntegerField()
    c10 = models.PositiveIntegerField()
    c11 = models.PositiveIntegerField()
    c12 = models.PositiveIntegerField()
    c13 = models.PositiveIntegerField()
    c14 = models.PositiveIntegerField()
    c15 = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=[f"c{i}"], name=f"mediahash_c{i}") for i in range(PDQ_CHUNKS)]

    def __str__(self):
        return f"PDQ {self.pdq[:12]}…"

    @staticmethod
    def chunks_of(pdq: str) -> dict[str, int]:
        """{"c0": …, "c15": …} of a 64-digit hexadecimal hash, most significant chunk first."""
        return {f"c{i}": int(pdq[i * 4 : i * 4 + 4], 16) for i in range(PDQ_CHUNKS)}


class SubjectLink(models.Model):
    """Two accounts co-named by `weight` referrals (SPEC §14), stored in both directions so an
    account's neighbours are one index read, heaviest first."""

    subject = models.ForeignKey("referrals.Subject", on_delete=models.CASCADE, related_name="links")
    other = models.ForeignKey("referrals.Subject", on_delete=models.CASCADE, related_name="+")
    weight = models.PositiveIntegerField(default=0)
    last_referred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "other"], name="subjectlink_unique_pair")]
        # The other account too, so a network reads an account's heaviest links from the index
        # alone (200 accounts' 50 heaviest each: 5 ms instead of 20 at a million referrals).
        indexes = [models.Index(fields=["subject", "-weight", "other"], name="subjectlink_heaviest_other")]

    def __str__(self):
        return f"{self.subject_id} – {self.other_id} ({self.weight})"


class MediaMatch(models.Model):
    """An image evidence within the near-duplicate distance of evidence on an actioned
    referral (SPEC §14), found when it was uploaded: shown to reviewers with the distance."""

    evidence = models.ForeignKey("referrals.Evidence", on_delete=models.CASCADE, related_name="near_matches")
    earlier = models.ForeignKey("referrals.Evidence", on_delete=models.CASCADE, related_name="+")
    distance = models.PositiveSmallIntegerField()
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["distance", "pk"]
        constraints = [models.UniqueConstraint(fields=["evidence", "earlier"], name="mediamatch_unique_pair")]

    def __str__(self):
        return f"{self.evidence_id} ~ {self.earlier_id} ({self.distance}/256)"


class Resemblance(models.Model):
    """Why a look-alike signal was raised: its account resembles `subject`, a suspended one."""

    class Basis(models.TextChoices):
        HANDLE = "handle", _("Handle")
        DISPLAY_NAME = "display_name", _("Display name")

    referral = models.ForeignKey("referrals.Referral", on_delete=models.CASCADE, related_name="resemblances")
    subject = models.ForeignKey("referrals.Subject", on_delete=models.CASCADE, related_name="+")
    basis = models.CharField(max_length=12, choices=Basis.choices)
    score = models.PositiveSmallIntegerField()
    candidate_value = models.CharField(max_length=200)
    suspended_value = models.CharField(max_length=200)

    class Meta:
        ordering = ["-score", "pk"]

    def __str__(self):
        return f"{self.candidate_value} ~ {self.suspended_value} ({self.score})"


def subject_links_add(pairs: dict, *, at) -> None:
    """Add `pairs` ({(subject pk, other pk): referrals newly naming both}, both directions
    given) to the co-referral weights (SPEC §14), inside the caller's transaction, which holds
    the named accounts' row locks: one `INSERT … ON CONFLICT DO UPDATE` per 500 pairs, in a
    fixed order, and the accounts' suspended links (one query, more when one is suspended)."""
    items = sorted((a, b, n) for (a, b), n in pairs.items() if n)
    if not items:
        return
    fresh = _fresh_links_to_suspended(items)
    q = connection.ops.quote_name
    meta = SubjectLink._meta
    table = q(meta.db_table)
    subject, other = q(meta.get_field("subject").column), q(meta.get_field("other").column)
    latest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    pk_field = SubjectLink._meta.get_field("subject").target_field
    last = meta.get_field("last_referred_at").get_db_prep_save(at, connection)
    for start in range(0, len(items), 500):
        chunk = items[start : start + 500]
        params = []
        for a, b, n in chunk:
            params += [pk_field.get_db_prep_save(a, connection), pk_field.get_db_prep_save(b, connection), n, last]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({subject}, {other}, weight, last_referred_at) "  # noqa: S608 (quoted names)
                f"VALUES {', '.join(['(%s, %s, %s, %s)'] * len(chunk))} "
                f"ON CONFLICT ({subject}, {other}) DO UPDATE SET weight = {table}.weight + excluded.weight, "
                f"last_referred_at = {latest}({table}.last_referred_at, excluded.last_referred_at)",
                params,
            )
    _suspended_links_add(fresh)


# --- Subject.suspended_links ---------------------------------------------------------------------
# How many of an account's links lead to a suspended account (a hub's "suspended neighbours"),
# kept exact by the three writes that change it: links added (intake, above; the load
# generator), accounts suspended (a decision) and reinstated (a reversal, a restriction's end).


def _fresh_links_to_suspended(items: list) -> dict:
    """Of the links in `items` ((subject, other, n), both directions given), those that do not
    exist yet and lead to a suspended account: {subject pk: how many}. Read before the weights
    are added, under the caller's locks on the named accounts (intake's subject_counts_add), so
    none of them is suspended or reinstated meanwhile. One query, a second only when one of
    the accounts is suspended."""
    subject_model = SubjectLink._meta.get_field("subject").related_model
    named = {a for a, _b, _n in items}
    suspended = set(subject_model.objects.filter(pk__in=named, suspended_at__isnull=False).values_list("pk", flat=True))
    toward = [(a, b) for a, b, _n in items if b in suspended]
    if not toward:
        return {}
    existing = set(
        SubjectLink.objects.filter(subject_id__in={a for a, _b in toward}, other_id__in=suspended).values_list(
            "subject_id", "other_id"
        )
    )
    fresh: dict = {}
    for a, b in toward:
        if (a, b) not in existing:
            fresh[a] = fresh.get(a, 0) + 1
    return fresh


def _suspended_links_add(counts: dict) -> None:
    """Add `counts` ({subject pk: n}) to Subject.suspended_links (rows already locked)."""
    subject_model = SubjectLink._meta.get_field("subject").related_model
    by_n: dict[int, list] = {}
    for pk, n in counts.items():
        by_n.setdefault(n, []).append(pk)
    for n, pks in sorted(by_n.items()):
        subject_model.objects.filter(pk__in=pks).update(suspended_links=models.F("suspended_links") + n)


def subjects_lock_with_links(subject_ids) -> dict:
    """Lock the accounts of `subject_ids` (a list or a query of pks) and every account linked to
    them, in primary-key order as intake locks the accounts it names (so the two never wait
    for each other in a circle); returns {pk: suspended_at} of the accounts locked."""
    subject_model = SubjectLink._meta.get_field("subject").related_model
    linked = SubjectLink.objects.filter(other_id__in=subject_ids).values("subject_id")
    rows = list(
        subject_model.objects.filter(models.Q(pk__in=subject_ids) | models.Q(pk__in=linked))
        .order_by("pk")
        .select_for_update()
        .values_list("pk", "suspended_at")
    )
    return dict(rows)


def subjects_suspend(subject_ids: list, *, at, by) -> list:
    """Suspend those of `subject_ids` not suspended yet (`by` the referral whose decision does
    it, at `at`), inside the caller's transaction, and count each among the suspended links
    of every account linked to it. Returns the pks suspended. Three queries."""
    state = subjects_lock_with_links(list(subject_ids))
    newly = [pk for pk in subject_ids if pk in state and state[pk] is None]
    if newly:
        subject_model = SubjectLink._meta.get_field("subject").related_model
        subject_model.objects.filter(pk__in=newly).update(suspended_at=at, suspended_by=by)
        subject_suspended_links_shift(newly, 1)
    return newly


def subject_suspended_links_shift(subject_ids, delta: int) -> None:
    """`subject_ids` were just suspended (`delta` 1) or reinstated (-1), inside the caller's
    transaction: every account linked to one of them gains or loses one suspended link for
    each. One `UPDATE … FROM` over their links (the `other` index) per 5,000 accounts."""
    ids = list(subject_ids)
    if not ids:
        return
    q = connection.ops.quote_name
    subject_model = SubjectLink._meta.get_field("subject").related_model
    table, link = q(subject_model._meta.db_table), q(SubjectLink._meta.db_table)
    pk_field = subject_model._meta.pk
    for start in range(0, len(ids), 5000):
        chunk = [pk_field.get_db_prep_value(pk, connection) for pk in ids[start : start + 5000]]
        marks = ", ".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET suspended_links = {table}.suspended_links + %s * c.n "  # noqa: S608 (quoted names)
                f"FROM (SELECT subject_id, COUNT(*) AS n FROM {link} WHERE other_id IN ({marks}) "
                f"GROUP BY subject_id) AS c WHERE {table}.id = c.subject_id",
                [delta, *chunk],
            )


def subject_suspended_links_recount() -> None:
    """Set every account's suspended links from the links and the accounts (exact, idempotent):
    for writers that bypass the three writes above (a backfill of the links)."""
    q = connection.ops.quote_name
    subject_model = SubjectLink._meta.get_field("subject").related_model
    table, link = q(subject_model._meta.db_table), q(SubjectLink._meta.db_table)
    counts = (
        f"SELECT l.subject_id, COUNT(*) AS n FROM {link} l JOIN {table} o ON o.id = l.other_id "  # noqa: S608 (quoted names)
        "WHERE o.suspended_at IS NOT NULL GROUP BY l.subject_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET suspended_links = 0 WHERE suspended_links <> 0 AND id NOT IN "  # noqa: S608 (quoted names)
            f"(SELECT subject_id FROM ({counts}) AS c)"
        )
        cursor.execute(
            f"UPDATE {table} SET suspended_links = c.n FROM ({counts}) AS c "  # noqa: S608 (quoted names)
            f"WHERE {table}.id = c.subject_id AND {table}.suspended_links <> c.n"
        )
