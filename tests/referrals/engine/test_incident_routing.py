"""SPEC §18 surge routing in the pure engine: a referral matching an active incident (by URL,
subject, keyword or evidence) goes to the incident's queue with the level's points and a
reason; legal kinds keep their queue and clock; the gravest matching incident wins."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from referrals.engine.normalise import Target, normalise_target
from referrals.engine.routing import (
    DEFAULT_QUEUES,
    DEFAULT_RULES,
    INCIDENT_POINTS,
    Facts,
    IncidentFacts,
    route,
)

T = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
INCIDENT_QUEUE = "incident-harbour-attack"
SLA = {slug: minutes for slug, _, minutes in DEFAULT_QUEUES} | {INCIDENT_QUEUE: 60, "incident-other": 120}
BASE = 20  # a notice (20) of low severity (0), not a trusted flagger, no corroboration


def facts(**overrides) -> Facts:
    base = Facts(
        kind="notice",
        category="other",
        severity="low",
        country="DE",
        language="de",
        submitter_kind="ngo",
        trusted_flagger=False,
        corroborating_organisations=0,
        received_at=T,
        explanation="This account posts recruitment material.",
    )
    return replace(base, **overrides)


def target(url: str = "", **raw) -> Target:
    return normalise_target({"url": url, **raw} if url else raw)


def incident(**overrides) -> IncidentFacts:
    """The attack at the harbour: level 1, the attacker's X account and one of its posts."""
    urls = ("https://x.com/attacker", "https://x.com/attacker/status/555", "https://t.me/harbourlive/12")
    targets = [normalise_target({"url": url}) for url in urls]
    base = IncidentFacts(
        slug="harbour-attack",
        title="Harbour attack",
        level=1,
        queue=INCIDENT_QUEUE,
        declared_at=T - timedelta(hours=1),
        keywords=("manifesto", "harbour livestream"),
        urls=frozenset(t.url for t in targets),
        contents=frozenset((t.platform, t.account, t.content_id) for t in targets if t.content_id),
        accounts=frozenset((t.platform, t.account) for t in targets if t.account),
    )
    return replace(base, **overrides)


def routed(**overrides):
    overrides.setdefault("incidents", (incident(),))
    return route(facts(**overrides), DEFAULT_RULES, SLA)


def incident_reason(decision) -> str:
    [reason] = [r for r in decision.reasons if r.startswith("Matches incident")]
    return reason


# --- What matches ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("named", "why"),
    [
        # the same URL, however it was written
        (target("https://x.com/attacker"), "names x.com/attacker"),
        (target("https://X.com/attacker/"), "names x.com/attacker"),
        (target("https://x.com/attacker/status/555?s=20"), "names x.com/attacker/status/555"),
        # the same post on the same platform, under another address
        (target("https://twitter.com/attacker/status/555"), "names post 555 on x"),
        (target("https://x.com/i/web/status/555"), "names post 555 on x"),
        (target("https://t.me/s/harbourlive/12"), "names post 12 on telegram"),
        # the incident's subjects: the accounts of its URLs
        (target(platform="x", account="@Attacker"), "names the account attacker on x"),
        (target("https://x.com/attacker/status/999"), "names the account attacker on x"),
        (target("https://t.me/harbourlive"), "names the account harbourlive on telegram"),
    ],
)
def test_a_referral_naming_an_incident_url_or_subject_goes_to_the_incident_queue(named, why):
    decision = routed(targets=(target("https://x.com/bystander"), named))

    assert decision.queue == INCIDENT_QUEUE
    assert decision.incident == "harbour-attack"
    assert incident_reason(decision) == f"Matches incident Harbour attack: {why}"
    assert decision.priority == BASE + 60


@pytest.mark.parametrize(
    "named",
    [
        target("https://x.com/attacker_fan"),  # another account
        target(platform="telegram", account="attacker"),  # the same handle on another platform
        target("https://facebook.com/photo.php?fbid=555"),  # the same post id on another platform
        target("https://t.me/otherchannel/12"),  # the same post number in another channel
        target("https://example.org/attacker"),  # a site the normaliser does not know
    ],
)
def test_a_referral_naming_something_else_is_routed_as_usual(named):
    decision = routed(targets=(named,))

    assert decision.queue == "general"
    assert decision.incident is None
    assert decision.priority == BASE
    assert not any("incident" in reason.casefold() for reason in decision.reasons)


@pytest.mark.parametrize(
    ("explanation", "keyword"),
    [
        ("He posted a manifesto before the attack.", "manifesto"),
        ("MANIFESTO attached", "manifesto"),
        ("See the «Manifesto»!", "manifesto"),
        ("The harbour livestream is being reshared.", "harbour livestream"),
        ("The Harbour   Livestream, again", "harbour livestream"),
        ("the harbour-livestream clip", "harbour livestream"),
    ],
)
def test_a_keyword_in_the_explanation_matches_ignoring_case_and_punctuation(explanation, keyword):
    decision = routed(explanation=explanation)

    assert decision.queue == INCIDENT_QUEUE
    assert incident_reason(decision) == f'Matches incident Harbour attack: keyword "{keyword}"'


def test_a_keyword_matches_ignoring_accents_both_ways():
    accented = incident(keywords=("Attentat de Chéraga",))

    decision = routed(incidents=(accented,), explanation="La vidéo de l'attentat de CHERAGA circule.")
    plain = routed(incidents=(incident(keywords=("manifeste",)),), explanation="Le manifesté est partagé.")

    assert incident_reason(decision) == 'Matches incident Harbour attack: keyword "Attentat de Chéraga"'
    assert plain.queue == INCIDENT_QUEUE


@pytest.mark.parametrize(
    "explanation",
    [
        "The manifestos of other groups.",  # a longer word
        "premanifesto",  # inside a word
        "The harbour is calm; no livestream.",  # the words of a phrase apart
        "",
    ],
)
def test_a_keyword_matches_only_as_a_whole_word_or_phrase(explanation):
    decision = routed(explanation=explanation)

    assert decision.queue == "general"
    assert decision.incident is None


def test_a_keyword_of_punctuation_only_never_matches():
    decision = routed(incidents=(incident(keywords=("!!", "  ")),), explanation="!! look at this !!")

    assert decision.incident is None


def test_a_keyword_in_another_script_matches_the_same_words():
    arabic = incident(keywords=("بيان المهاجم",))

    assert routed(incidents=(arabic,), explanation="نشر بيان المهاجم على القناة").incident == "harbour-attack"
    assert routed(incidents=(arabic,), explanation="نشر بيان آخر").incident is None


def test_an_evidence_match_found_by_the_caller_matches_with_its_words():
    found = incident(evidence_match="evidence matches the incident's evidence (PDQ distance 12/256)")

    decision = routed(incidents=(found,))

    assert decision.queue == INCIDENT_QUEUE
    assert incident_reason(decision) == (
        "Matches incident Harbour attack: evidence matches the incident's evidence (PDQ distance 12/256)"
    )


def test_every_way_it_matches_is_named_once_in_one_reason():
    decision = routed(
        targets=(
            target("https://x.com/attacker"),
            target("https://x.com/attacker"),
            target("https://t.me/harbourlive"),
        ),
        explanation="The manifesto again.",
        incidents=(incident(evidence_match="evidence matches the incident's evidence (SHA-256)"),),
    )

    assert incident_reason(decision) == (
        "Matches incident Harbour attack: names x.com/attacker, names the account harbourlive on telegram, "
        'keyword "manifesto", evidence matches the incident\'s evidence (SHA-256)'
    )
    assert decision.priority == BASE + 60  # the points count once


def test_a_long_list_of_matches_is_cut_short():
    many = tuple(target(f"https://x.com/attacker/status/{n}") for n in range(1, 9))

    reason = incident_reason(routed(targets=many))

    assert reason.count("names the account attacker on x") == 1
    many_urls = incident(urls=frozenset(t.url for t in many))
    reason = incident_reason(routed(targets=many, incidents=(many_urls,)))
    assert reason.endswith("names x.com/attacker/status/5 and 3 more")


def test_without_incidents_nothing_changes():
    named = (target("https://x.com/attacker"),)
    with_none = route(facts(targets=named, explanation="manifesto"), DEFAULT_RULES, SLA)
    plain = route(facts(), DEFAULT_RULES, SLA)

    assert with_none == plain
    assert with_none.incident is None
    assert with_none.reasons[-2] == (
        "Priority 20 = kind notice 20 + severity low 0 + trusted 0 + corroboration 0 (0 other organisations) + boost 0"
    )


# --- Points, queue and clock --------------------------------------------------------------------


@pytest.mark.parametrize(("level", "points"), [(1, 60), (2, 40), (3, 20)])
def test_each_level_adds_its_points_to_the_priority_formula(level, points):
    decision = routed(incidents=(incident(level=level),), explanation="manifesto", severity="high")

    assert INCIDENT_POINTS == {1: 60, 2: 40, 3: 20}
    assert decision.priority == 20 + 40 + points
    assert decision.reasons[-2] == (
        f"Priority {60 + points} = kind notice 20 + severity high 40 + trusted 0 + corroboration 0"
        f" (0 other organisations) + boost 0 + incident {points}"
    )


def test_the_incident_points_come_after_the_surfacing_points():
    from referrals.engine.routing import Boost

    decision = routed(explanation="manifesto", boosts=(Boost(15, "Look-alike of a suspended account: …"),))

    assert decision.priority == BASE + 15 + 60
    assert decision.reasons[-2].endswith("+ boost 0 + surfacing 15 + incident 60")


def test_the_deadline_is_the_incident_queue_s_sla():
    slow = routed(incidents=(incident(queue="incident-other"),), explanation="manifesto")

    assert slow.queue == "incident-other"
    assert slow.due_at == T + timedelta(minutes=120)
    assert slow.reasons[-1] == "Due 120 minutes after receipt: the SLA of queue 'incident-other'"


def test_an_imminent_referral_in_the_incident_queue_keeps_its_sixty_minute_clock():
    decision = routed(incidents=(incident(queue="incident-other"),), explanation="manifesto", severity="imminent")

    assert decision.queue == "incident-other"
    assert decision.due_at == T + timedelta(minutes=60)
    assert decision.priority == 20 + 80 + 60


def test_the_rule_that_matched_is_still_named():
    decision = routed(explanation="manifesto", category="terrorist_recruitment")

    assert decision.queue == INCIDENT_QUEUE
    assert decision.rule_name == "Violent extremism"
    assert decision.reasons[0].startswith("Rule 7 'Violent extremism'")
    assert decision.reasons[1] == 'Matches incident Harbour attack: keyword "manifesto"'


@pytest.mark.parametrize(
    ("kind", "severity", "queue", "minutes", "base"),
    [
        ("removal_order", "high", "legal-orders", 60, 100 + 40),
        ("emergency_request", "imminent", "legal-orders", 60, 100 + 80),
        ("preservation_request", "low", "preservation", 24 * 60, 50),
    ],
)
def test_legal_kinds_keep_their_queue_and_clock_but_get_the_points_and_the_reason(kind, severity, queue, minutes, base):
    decision = routed(kind=kind, severity=severity, targets=(target("https://x.com/attacker/status/555"),))

    assert decision.queue == queue
    assert decision.due_at == T + timedelta(minutes=minutes)
    assert decision.priority == base + 60
    assert decision.incident == "harbour-attack"
    assert incident_reason(decision) == "Matches incident Harbour attack: names x.com/attacker/status/555"


@pytest.mark.parametrize("kind", ["le_referral", "signal"])
def test_other_kinds_go_to_the_incident_queue(kind):
    decision = routed(kind=kind, explanation="manifesto")

    assert decision.queue == INCIDENT_QUEUE


def test_an_incident_queue_without_an_sla_keeps_the_rule_s_queue_but_gives_the_points():
    decision = routed(incidents=(incident(queue="incident-deleted"),), explanation="manifesto")

    assert decision.queue == "general"
    assert decision.incident == "harbour-attack"
    assert decision.priority == BASE + 60
    assert "Queue 'incident-deleted' has no SLA configured; kept in queue 'general'" in decision.reasons


# --- Several incidents ------------------------------------------------------------------------------


def test_the_gravest_matching_incident_wins():
    grave = incident(
        slug="grave", title="Grave", level=1, queue="incident-other", keywords=("manifesto",), urls=frozenset()
    )
    milder = incident(slug="milder", title="Milder", level=2, keywords=("manifesto",))

    for order in ((milder, grave), (grave, milder)):
        decision = routed(incidents=order, explanation="manifesto")
        assert (decision.incident, decision.queue, decision.priority) == ("grave", "incident-other", BASE + 60)
        assert [r for r in decision.reasons if r.startswith("Matches incident")] == [
            'Matches incident Grave: keyword "manifesto"'
        ]


def test_between_incidents_of_one_level_the_earliest_declared_wins():
    earlier = incident(slug="earlier", title="Earlier", declared_at=T - timedelta(days=1))
    later = incident(slug="later", title="Later", declared_at=T - timedelta(minutes=5))

    assert routed(incidents=(later, earlier), explanation="manifesto").incident == "earlier"
    assert routed(incidents=(earlier, later), explanation="manifesto").incident == "earlier"


def test_a_graver_incident_that_does_not_match_is_passed_over():
    grave = incident(slug="grave", title="Grave", level=1, keywords=("bomb",), urls=frozenset(), accounts=frozenset())
    milder = incident(slug="milder", title="Milder", level=3, queue="incident-other")

    decision = routed(incidents=(grave, milder), explanation="manifesto")

    assert (decision.incident, decision.queue, decision.priority) == ("milder", "incident-other", BASE + 20)
