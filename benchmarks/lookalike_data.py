"""A look-alike data set with a known answer: suspended accounts, candidates, and which
candidates must be raised (SPEC §14). Used by `make bench` and the integration test.

Handles and display names are made of pseudo-words ("khaidun_tremo7", "Abu Sharil Dhoum"):
syllables of some thirty onsets, nine vowels and a dozen codas, sometimes with a common
prefix ("abu", "al", "the"…) or suffix ("official", "tv"…), so trigrams are about as varied
as in real handles, a few of them very common. Only values without a repeated trigram and at
most 16 letters folded (17 trigrams) are kept: two such values either have the same trigrams
or differ by at least one edit, which changes 3 trigrams or more, so they are at most
(16 − 1) / (16 + 2) = 83 % similar. A candidate thus reaches the default 85 exactly when its
folded handle (or display name) has the trigrams of a suspended one's. The candidates are:

- handle look-alikes: a suspended handle with another separator or counter, a Cyrillic "а" or
  capitals (raised);
- display-name look-alikes: a new handle with a suspended account's display name, re-cased,
  accented or with a counter (raised);
- near misses: a suspended handle with one letter changed (not raised);
- suspended accounts themselves (not raised: already suspended);
- the rest: new handles and names whose trigrams no suspended one has (not raised).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from referrals.engine.folding import fold_handle, fold_name, trigrams
from referrals.models import Subject

from .rows import RowWriter

ONSETS = ["", "b", "br", "ch", "d", "dh", "f", "g", "gh", "h", "j", "k", "kh", "l", "m", "n", "p", "q", "r"]
ONSETS += ["s", "sh", "st", "t", "th", "tr", "v", "w", "y", "z"]
NUCLEI = ["a", "e", "i", "o", "u", "aa", "ai", "ou", "ee"]
CODAS = ["", "", "", "n", "r", "l", "m", "d", "s", "h", "k", "t"]
PREFIXES = ["abu", "al", "umm", "ibn", "the", "real", "true"]
SUFFIXES = ["official", "tv", "news", "media"]
NAME_PREFIXES = ["Abu", "Al", "Umm", "Sheikh"]
SEPARATORS = ["_", ".", "", "-"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"
CYRILLIC_A = "\u0430"
MAX_TRIGRAMS = 17
SHARES = {"handle": 0.01, "display_name": 0.005, "near_miss": 0.01, "suspended": 0.002}
WRITE_CHUNK = 25_000


@dataclass
class LookalikeSet:
    platform: str
    suspended: int
    candidates: list[dict]  # as posted: {"platform", "account", "display_name"}
    expected: set[str]  # the accounts that must be raised, as stored (lower case)
    kinds: dict[str, list[str]] = field(default_factory=dict)  # kind of candidate → its accounts


def _clean(folded: str, words: int = 1) -> bool:
    """No repeated trigram and at most MAX_TRIGRAMS of them (see the module's docstring)."""
    grams = len(trigrams(folded))
    return len(folded) >= 6 and grams == len(folded.replace(" ", "")) + words <= MAX_TRIGRAMS


class _Maker:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def word(self) -> str:
        rng = self.rng
        return "".join(
            rng.choice(ONSETS) + rng.choice(NUCLEI) + rng.choice(CODAS) for _ in range(rng.choice((1, 2, 2, 3)))
        )

    def handle(self) -> tuple[str, list[str]]:
        """A handle as written, and its words (its folded value is their concatenation)."""
        rng = self.rng
        while True:
            parts = [self.word(), self.word()]
            if rng.random() < 0.15:
                parts.insert(0, rng.choice(PREFIXES))
            elif rng.random() < 0.1:
                parts.append(rng.choice(SUFFIXES))
            if _clean("".join(parts)) and all(parts):
                counter = str(rng.randrange(1, 100)) if rng.random() < 0.6 else ""
                return rng.choice(SEPARATORS).join(parts) + counter, parts

    def name(self) -> str:
        rng = self.rng
        while True:
            words = [self.word().capitalize(), self.word().capitalize()]
            if rng.random() < 0.2:
                words.insert(0, rng.choice(NAME_PREFIXES))
            name = " ".join(words)
            if _clean(fold_name(name), len(words)):
                return name


def build(*, platform: str, suspended: int, candidates: int, seed: int = 14) -> LookalikeSet:
    """Write `suspended` suspended subjects on `platform` (COPY on PostgreSQL) and return
    `candidates` accounts to check, with the ones that must be raised."""
    rng = random.Random(seed)
    make = _Maker(rng)
    now = timezone.now()
    rows, accounts = [], set()
    handle_grams, name_grams = set(), set()
    while len(rows) < suspended:
        account, words = make.handle()
        if account in accounts:
            continue
        accounts.add(account)
        name = make.name() if rng.random() < 0.5 else ""
        folded, folded_name = fold_handle(account), fold_name(name)
        handle_grams.add(trigrams(folded))
        if name:
            name_grams.add(trigrams(folded_name))
        rows.append(
            {
                "id": uuid.uuid4(),
                "platform": platform,
                "account": account,
                "created_at": now - timedelta(days=rng.uniform(30, 700)),
                "suspended_at": now - timedelta(days=rng.uniform(1, 29)),
                "suspended_by_id": None,
                "referral_count": 0,
                "suspended_links": 0,
                "display_name": name,
                "folded_account": folded,
                "folded_name": folded_name,
                "words": words,
            }
        )
    _write(rows)
    return _candidates(make, rng, platform, rows, accounts, handle_grams, name_grams, candidates, suspended)


def _write(rows: list[dict]) -> None:
    writer = RowWriter()
    for start in range(0, len(rows), WRITE_CHUNK):
        with transaction.atomic():
            writer.write(
                Subject, ({k: v for k, v in r.items() if k != "words"} for r in rows[start : start + WRITE_CHUNK])
            )
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Subject._meta.db_table)}")


def _candidates(make, rng, platform, rows, accounts, handle_grams, name_grams, total, suspended) -> LookalikeSet:
    kinds: dict[str, list[str]] = {kind: [] for kind in (*SHARES, "new")}
    out: list[dict] = []
    taken = set(accounts)

    def add(kind: str, account: str, name: str = "") -> None:
        taken.add(account)
        kinds[kind].append(account)
        out.append({"platform": platform, "account": account, "display_name": name})

    def fresh_handle() -> str:
        while True:
            account, _words = make.handle()
            if account not in taken and trigrams(fold_handle(account)) not in handle_grams:
                return account

    def fresh_name() -> str:
        while True:
            name = make.name()
            if trigrams(fold_name(name)) not in name_grams:
                return name

    wanted = {kind: max(1, round(total * share)) for kind, share in SHARES.items()}
    named = [r for r in rows if r["display_name"]]
    while len(kinds["handle"]) < wanted["handle"]:
        account = _handle_variant(rng, rng.choice(rows))
        if account not in taken:
            add("handle", account)
    while len(kinds["display_name"]) < wanted["display_name"] and named:
        add("display_name", fresh_handle(), _name_variant(rng, rng.choice(named)["display_name"]))
    while len(kinds["near_miss"]) < wanted["near_miss"]:
        account = _near_miss(rng, rng.choice(rows))
        folded = fold_handle(account)
        if account not in taken and _clean(folded) and trigrams(folded) not in handle_grams:
            add("near_miss", account)
    for row in rng.sample(rows, min(wanted["suspended"], len(rows))):
        kinds["suspended"].append(row["account"])
        out.append({"platform": platform, "account": row["account"], "display_name": ""})
    while len(out) < total:
        add("new", fresh_handle(), fresh_name() if rng.random() < 0.5 else "")
    rng.shuffle(out)
    expected = set(kinds["handle"]) | set(kinds["display_name"])
    return LookalikeSet(platform=platform, suspended=suspended, candidates=out[:total], expected=expected, kinds=kinds)


def _handle_variant(rng: random.Random, row: dict) -> str:
    """The same folded handle written another way."""
    parts = row["words"]
    way = rng.randrange(4)
    if way == 0:
        return rng.choice(SEPARATORS).join(parts) + str(rng.randrange(100, 10_000))
    if way == 1 and "a" in "".join(parts):
        return "_".join(parts).replace("a", CYRILLIC_A, 1)
    if way == 2:
        return "__".join(parts) + f"_{rng.randrange(1, 10)}"
    return ".".join(parts) + f".{rng.randrange(1, 100)}"


def _name_variant(rng: random.Random, name: str) -> str:
    """The same folded display name written another way."""
    way = rng.randrange(3)
    if way == 0:
        return name.upper()
    if way == 1:
        return name.replace("a", "à", 1).replace("o", "ö", 1)
    return f"{name.replace(' ', '_')} {rng.randrange(1, 10)}"


def _near_miss(rng: random.Random, row: dict) -> str:
    """A suspended handle with one letter of its last word changed: near, not a look-alike."""
    parts = list(row["words"])
    word = parts[-1]
    at = rng.randrange(len(word))
    parts[-1] = word[:at] + rng.choice(LETTERS.replace(word[at], "")) + word[at + 1 :]
    return "_".join(parts)
