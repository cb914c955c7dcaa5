"""The routing engine (SPEC §4.2-4.5, §18): referral facts and rules in, a decision with reasons out.

Pure Python: no ORM, no settings, no clock reads. The caller loads the rules and queue SLAs,
counts corroborating organisations and stores the decision; the reasons are shown to
reviewers verbatim, so they are written for people.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from referrals.engine.clock import LEGAL_CLOCK_MINUTES
from referrals.engine.folding import fold_words
from referrals.engine.normalise import Target

KIND_POINTS = {
    "removal_order": 100,
    "emergency_request": 100,
    "preservation_request": 50,
    "le_referral": 40,
    "signal": 30,
    "notice": 20,
}
SEVERITY_POINTS = {"imminent": 80, "high": 40, "medium": 20, "low": 0}
TRUSTED_POINTS = 20
CORROBORATION_POINTS = 10
CORROBORATION_CAP = 40

# Kinds whose deadline is the legal 60-minute clock whatever queue they land in.
CLOCK_KINDS = {
    "removal_order": "removal orders have a 60-minute legal clock",
    "emergency_request": "emergency requests have a 60-minute clock",
}
# Only these may be closed as duplicates; legal kinds always reach a person (§4.5).
DUPLICATE_KINDS = frozenset({"notice", "le_referral"})
# Surge routing (§18): the points of a referral matching an active incident, by its level; legal
# kinds keep their queue and clock when they match.
INCIDENT_POINTS = {1: 60, 2: 40, 3: 20}
LEGAL_KINDS = frozenset({"removal_order", "preservation_request", "emergency_request"})
INCIDENT_MATCHES_SHOWN = 5


@dataclass(frozen=True)
class Rule:
    """A routing rule. Each set means "any of"; an empty set or None means no condition.

    `categories` entries may end in "*" to match a prefix ("terrorist_*"). Comparisons
    ignore case, so "de" in a rule matches a referral from "DE".
    """

    name: str
    queue: str
    order: int
    kinds: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    severities: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    submitter_kinds: frozenset[str] = frozenset()
    trusted_flagger: bool | None = None
    priority_boost: int = 0
    enabled: bool = True


@dataclass(frozen=True)
class Boost:
    """Points a surfacing detector adds to a referral's priority (SPEC §14), with its reason
    in words: the detectors find them, the engine only adds them up and says why."""

    points: int
    reason: str


@dataclass(frozen=True)
class IncidentFacts:
    """An active incident (SPEC §18) as routing matches a referral against it.

    `urls` are its URLs normalised like a referral's targets, `contents` the (platform,
    account, content id) of the posts they name (the account "" when a URL does not say),
    `accounts` the (platform, account) of its subjects.
    `evidence_match` says in words how this referral's evidence matches the incident's (the
    caller compares the hashes), or is None.
    """

    slug: str
    title: str
    level: int
    queue: str
    declared_at: datetime
    keywords: tuple[str, ...] = ()
    urls: frozenset[str] = frozenset()
    contents: frozenset[tuple[str, str, str]] = frozenset()
    accounts: frozenset[tuple[str, str]] = frozenset()
    evidence_match: str | None = None


@dataclass(frozen=True)
class Facts:
    """What routing may look at. `corroborating_organisations` counts *other* organisations
    that referred one of the same subjects in the last 30 days; the caller counts them.
    `boosts` are the detectors' findings about this referral (look-alike, near-duplicate).
    `incidents` are the active incidents (SPEC §18), matched against the referral's
    normalised `targets` and its `explanation`."""

    kind: str
    category: str
    severity: str
    country: str
    language: str
    submitter_kind: str
    trusted_flagger: bool
    corroborating_organisations: int
    received_at: datetime
    boosts: tuple[Boost, ...] = ()
    explanation: str = ""
    targets: tuple[Target, ...] = ()
    incidents: tuple[IncidentFacts, ...] = ()


@dataclass(frozen=True)
class Decision:
    queue: str
    priority: int
    due_at: datetime
    reasons: tuple[str, ...]
    rule_name: str  # "" when no rule matched and the fallback queue was used
    incident: str | None = None  # the slug of the active incident it matched (SPEC §18)


def _any_of(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))


def _matches_category(category: str, patterns: frozenset[str]) -> str | None:
    """The pattern `category` matches, or None."""
    category = category.casefold()
    for pattern in sorted(patterns):
        wanted = pattern.casefold()
        if wanted.endswith("*") and category.startswith(wanted[:-1]) and category:
            return pattern
        if wanted == category:
            return pattern
    return None


def _conditions(rule: Rule, facts: Facts) -> list[tuple[bool, str]]:
    """Each condition the rule sets, whether `facts` meet it, and why, in words."""
    checks: list[tuple[bool, str]] = []
    for label, wanted, actual in (
        ("kind", rule.kinds, facts.kind),
        ("severity", rule.severities, facts.severity),
        ("country", rule.countries, facts.country),
        ("language", rule.languages, facts.language),
        ("submitter kind", rule.submitter_kinds, facts.submitter_kind),
    ):
        if not wanted:
            continue
        if not actual:
            checks.append((False, f"{label} is not given; the rule needs {_any_of(wanted)}"))
        elif actual.casefold() in {w.casefold() for w in wanted}:
            checks.append((True, f"{label} is {actual}"))
        else:
            checks.append((False, f"{label} {actual} is not {_any_of(wanted)}"))
    if rule.categories:
        pattern = _matches_category(facts.category, rule.categories)
        if pattern is None:
            wanted = _any_of(rule.categories)
            checks.append((False, f"category {facts.category or '(none)'} is not {wanted}"))
        elif pattern != facts.category:
            checks.append((True, f"category {facts.category} matches {pattern}"))
        else:
            checks.append((True, f"category is {facts.category}"))
    if rule.trusted_flagger is not None:
        status = "is" if facts.trusted_flagger else "is not"
        checks.append((facts.trusted_flagger == rule.trusted_flagger, f"submitter {status} a trusted flagger"))
    return checks


def _matches(rule: Rule, facts: Facts) -> bool:
    return rule.enabled and all(met for met, _ in _conditions(rule, facts))


def _ordered(rules: Sequence[Rule]) -> list[Rule]:
    return sorted(rules, key=lambda rule: rule.order)  # stable: ties keep the given order


def _rule_label(rule: Rule) -> str:
    return f"Rule {rule.order} '{rule.name}'"


def priority(facts: Facts, boost: int = 0, incident: int | None = None) -> tuple[int, str]:
    """SPEC §4.3: kind + severity + trusted + corroboration (10 per other org, ≤ 40) + boost,
    and the surfacing detectors' points (§14) and a matching incident's (§18) when there are.

    Returns the score and its breakdown in words. Unknown kinds and severities score 0 so
    that a new value upstream can never stop routing.
    """
    kind = KIND_POINTS.get(facts.kind, 0)
    severity = SEVERITY_POINTS.get(facts.severity, 0)
    trusted = TRUSTED_POINTS if facts.trusted_flagger else 0
    others = max(0, facts.corroborating_organisations)
    corroboration = min(CORROBORATION_POINTS * others, CORROBORATION_CAP)
    surfacing = sum(b.points for b in facts.boosts)
    total = kind + severity + trusted + corroboration + boost + surfacing + (incident or 0)
    plural = "organisation" if others == 1 else "organisations"
    return total, (
        f"Priority {total} = kind {facts.kind} {kind} + severity {facts.severity} {severity}"
        f" + trusted {trusted} + corroboration {corroboration} ({others} other {plural})"
        f" + boost {boost}"
        + (f" + surfacing {surfacing}" if facts.boosts else "")
        + (f" + incident {incident}" if incident is not None else "")
    )


def _shown_url(url: str) -> str:
    return url.split("://", 1)[-1]


def _same_post(target: Target, contents: frozenset[tuple[str, str, str]]) -> bool:
    """The same post on the same platform; where both name the account, the same account too,
    as a post number (Telegram's) may be unique only within its channel."""
    return any(
        platform == target.platform and content_id == target.content_id and account in ("", target.account or account)
        for platform, account, content_id in contents
    )


def _incident_matches(incident: IncidentFacts, facts: Facts, explanation: str) -> list[str]:
    """How the referral matches `incident`, in words, each way once; [] when it does not.
    `explanation` is the referral's, folded by `fold_words` and padded with a space each side."""
    found: list[str] = []
    for target in facts.targets:
        if target.url and target.url in incident.urls:
            found.append(f"names {_shown_url(target.url)}")
        elif target.content_id and _same_post(target, incident.contents):
            found.append(f"names post {target.content_id} on {target.platform}")
        elif target.account and (target.platform, target.account) in incident.accounts:
            found.append(f"names the account {target.account} on {target.platform}")
    for keyword in incident.keywords:
        folded = fold_words(keyword)
        if folded and f" {folded} " in explanation:
            found.append(f'keyword "{keyword.strip()}"')
    if incident.evidence_match:
        found.append(incident.evidence_match)
    return list(dict.fromkeys(found))


def _incident(facts: Facts) -> tuple[IncidentFacts | None, str]:
    """The gravest active incident the referral matches (the lowest level, then the earliest
    declared) and how it matches, in words; (None, "") when none does."""
    if not facts.incidents:
        return None, ""
    explanation = f" {fold_words(facts.explanation)} " if any(i.keywords for i in facts.incidents) else ""
    for incident in sorted(facts.incidents, key=lambda i: (i.level, i.declared_at)):
        found = _incident_matches(incident, facts, explanation)
        if found:
            shown = ", ".join(found[:INCIDENT_MATCHES_SHOWN])
            if len(found) > INCIDENT_MATCHES_SHOWN:
                shown += f" and {len(found) - INCIDENT_MATCHES_SHOWN} more"
            return incident, shown
    return None, ""


def _deadline(facts: Facts, queue: str, sla_minutes: Mapping[str, int]) -> tuple[int, str]:
    if facts.kind in CLOCK_KINDS:
        return LEGAL_CLOCK_MINUTES, CLOCK_KINDS[facts.kind]
    if facts.severity == "imminent":
        return LEGAL_CLOCK_MINUTES, "imminent referrals have a 60-minute clock"
    return sla_minutes[queue], f"the SLA of queue '{queue}'"


def route(
    facts: Facts,
    rules: Sequence[Rule],
    sla_minutes: Mapping[str, int],
    *,
    fallback: str = "general",
) -> Decision:
    """Route by the first enabled rule, by `order`, whose every condition holds.

    Without a match, or when the matched queue has no SLA in `sla_minutes` (it was deleted
    or renamed), the referral goes to `fallback`. A fallback missing from `sla_minutes` is a
    configuration error and raises KeyError, whatever the referral.
    """
    if fallback not in sla_minutes:
        raise KeyError(f"The fallback queue '{fallback}' has no SLA configured.")
    reasons: list[str] = []
    matched = next((rule for rule in _ordered(rules) if _matches(rule, facts)), None)
    if matched is None:
        queue, boost, rule_name = fallback, 0, ""
        reasons.append(f"No rule matched; sent to the fallback queue '{fallback}'")
    else:
        queue, boost, rule_name = matched.queue, matched.priority_boost, matched.name
        why = [text for _, text in _conditions(matched, facts)]
        reasons.append(f"{_rule_label(matched)}: " + ("; ".join(why) or "matches every referral"))
        if queue not in sla_minutes:
            reasons.append(f"Queue '{queue}' has no SLA configured; sent to the fallback queue '{fallback}'")
            queue = fallback

    # Surge routing (SPEC §18): the incident's queue, except for legal kinds, which keep their
    # queue and so their clock; the points and the reason either way.
    incident, matched = _incident(facts)
    incident_points = None
    if incident is not None:
        incident_points = INCIDENT_POINTS.get(incident.level, 0)
        reasons.append(f"Matches incident {incident.title}: {matched}")
        if facts.kind not in LEGAL_KINDS:
            if incident.queue in sla_minutes:
                queue = incident.queue
            else:
                reasons.append(f"Queue '{incident.queue}' has no SLA configured; kept in queue '{queue}'")

    reasons.extend(b.reason for b in facts.boosts)
    score, explanation = priority(facts, boost, incident_points)
    reasons.append(explanation)
    minutes, why_due = _deadline(facts, queue, sla_minutes)
    reasons.append(f"Due {minutes} minutes after receipt: {why_due}")
    return Decision(
        queue=queue,
        priority=score,
        due_at=facts.received_at + timedelta(minutes=minutes),
        reasons=tuple(reasons),
        rule_name=rule_name,
        incident=incident.slug if incident is not None else None,
    )


def explain(facts: Facts, rules: Sequence[Rule]) -> list[tuple[Rule, bool, list[str]]]:
    """For a "try it" box: every rule in routing order, whether it matches, and why.

    Every rule is evaluated, not just up to the first match; `route` takes the first entry
    whose flag is True. A disabled rule never matches.
    """
    result: list[tuple[Rule, bool, list[str]]] = []
    for rule in _ordered(rules):
        checks = _conditions(rule, facts)
        why = [("✓ " if met else "✗ ") + text for met, text in checks]
        if not checks:
            why.append("✓ no conditions: matches every referral")
        if not rule.enabled:
            why.insert(0, "✗ rule is disabled")
        result.append((rule, _matches(rule, facts), why))
    return result


def is_duplicate(kind: str, subjects_suspended: Sequence[bool]) -> bool:
    """SPEC §4.5: a notice or LE referral whose every subject (at least one) is suspended."""
    return kind in DUPLICATE_KINDS and len(subjects_suspended) > 0 and all(subjects_suspended)


DEFAULT_QUEUES: tuple[tuple[str, str, int], ...] = (
    ("legal-orders", "Legal orders", 60),
    ("preservation", "Preservation requests", 24 * 60),
    ("urgent-threats", "Urgent threats", 60),
    ("surfaced", "Surfaced by the platform", 24 * 60),
    ("le-referrals", "Law-enforcement referrals", 12 * 60),
    ("trusted-flaggers", "Trusted flaggers", 12 * 60),
    ("violent-extremism", "Violent extremism", 24 * 60),
    ("general", "General", 72 * 60),
)

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("Legal orders", "legal-orders", 1, kinds=frozenset({"removal_order", "emergency_request"})),
    Rule("Preservation requests", "preservation", 2, kinds=frozenset({"preservation_request"})),
    Rule("Imminent threats", "urgent-threats", 3, severities=frozenset({"imminent"})),
    Rule("Surfaced by the platform", "surfaced", 4, kinds=frozenset({"signal"})),
    Rule("Law-enforcement referrals", "le-referrals", 5, kinds=frozenset({"le_referral"})),
    Rule("Trusted flaggers", "trusted-flaggers", 6, trusted_flagger=True),
    Rule(
        "Violent extremism",
        "violent-extremism",
        7,
        categories=frozenset({"terrorist_*", "glorification", "propaganda"}),
    ),
    Rule("Anything else", "general", 8),
)
