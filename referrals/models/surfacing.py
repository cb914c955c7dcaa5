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
        indexes = [models.Index(fields=["subject", "-weight"], name="subjectlink_heaviest")]

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
    given) to the co-referral weights (SPEC §14), inside the caller's transaction: one
    `INSERT … ON CONFLICT DO UPDATE` per 500 pairs, in a fixed order."""
    items = sorted((a, b, n) for (a, b), n in pairs.items() if n)
    if not items:
        return
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
