"""SPEC §4.2-4.5: the pure routing engine, its default rules, priority, deadlines, duplicates."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from referrals.engine.routing import (
    DEFAULT_QUEUES,
    DEFAULT_RULES,
    Decision,
    Facts,
    Rule,
    explain,
    is_duplicate,
    priority,
    route,
)

T = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SLA = {slug: minutes for slug, _, minutes in DEFAULT_QUEUES}


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
    )
    return replace(base, **overrides)


def test_default_queues_match_the_spec():
    assert DEFAULT_QUEUES == (
        ("legal-orders", "Legal orders", 60),
        ("preservation", "Preservation requests", 1440),
        ("urgent-threats", "Urgent threats", 60),
        ("surfaced", "Surfaced by the platform", 1440),
        ("le-referrals", "Law-enforcement referrals", 720),
        ("trusted-flaggers", "Trusted flaggers", 720),
        ("violent-extremism", "Violent extremism", 1440),
        ("general", "General", 4320),
    )


def test_default_rules_are_in_spec_order_and_point_at_default_queues():
    assert [r.order for r in DEFAULT_RULES] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [r.queue for r in DEFAULT_RULES] == [slug for slug, _, _ in DEFAULT_QUEUES]
    assert all(r.enabled and r.priority_boost == 0 for r in DEFAULT_RULES)
    assert DEFAULT_RULES[-1] == Rule("Anything else", "general", 8)  # no conditions at all
    # A signal goes to `surfaced`, right after the imminent rule: an imminent signal is urgent.
    assert DEFAULT_RULES[3] == Rule("Surfaced by the platform", "surfaced", 4, kinds=frozenset({"signal"}))


@pytest.mark.parametrize(
    ("overrides", "queue"),
    [
        # rule 1, and its precedence over everything below it
        ({"kind": "removal_order"}, "legal-orders"),
        ({"kind": "emergency_request", "severity": "imminent"}, "legal-orders"),
        ({"kind": "removal_order", "severity": "imminent"}, "legal-orders"),
        ({"kind": "removal_order", "category": "terrorist_threat"}, "legal-orders"),
        # rule 2 before "imminent"
        ({"kind": "preservation_request"}, "preservation"),
        ({"kind": "preservation_request", "severity": "imminent"}, "preservation"),
        # rule 3 before law-enforcement referrals and trusted flaggers
        ({"severity": "imminent"}, "urgent-threats"),
        ({"severity": "imminent", "trusted_flagger": True}, "urgent-threats"),
        ({"kind": "le_referral", "severity": "imminent"}, "urgent-threats"),
        # rule 4
        ({"kind": "le_referral"}, "le-referrals"),
        ({"kind": "le_referral", "category": "terrorist_recruitment"}, "le-referrals"),
        # rule 5 before the category rule
        ({"trusted_flagger": True}, "trusted-flaggers"),
        ({"trusted_flagger": True, "category": "propaganda"}, "trusted-flaggers"),
        # rule 6
        ({"category": "terrorist_recruitment"}, "violent-extremism"),
        ({"category": "terrorist_incitement", "severity": "high"}, "violent-extremism"),
        ({"category": "terrorist_instruction"}, "violent-extremism"),
        ({"category": "terrorist_threat"}, "violent-extremism"),
        ({"category": "glorification"}, "violent-extremism"),
        ({"category": "propaganda"}, "violent-extremism"),
        # rule 7
        ({"category": "hateful_conduct"}, "general"),
        ({"category": "violent_threat", "severity": "high"}, "general"),
        ({"category": "other"}, "general"),
    ],
)
def test_default_rules_route_to_their_queue(overrides, queue):
    assert route(facts(**overrides), DEFAULT_RULES, SLA).queue == queue


def test_decision_names_the_rule_and_says_why():
    decision = route(facts(kind="removal_order", severity="imminent"), DEFAULT_RULES, SLA)
    assert decision == Decision(
        queue="legal-orders",
        priority=180,
        due_at=T + timedelta(minutes=60),
        reasons=(
            "Rule 1 'Legal orders': kind is removal_order",
            "Priority 180 = kind removal_order 100 + severity imminent 80 + trusted 0"
            " + corroboration 0 (0 other organisations) + boost 0",
            "Due 60 minutes after receipt: removal orders have a 60-minute legal clock",
        ),
        rule_name="Legal orders",
    )


def test_rule_without_conditions_says_it_matches_everything():
    decision = route(facts(), DEFAULT_RULES, SLA)
    assert decision.rule_name == "Anything else"
    assert decision.reasons[0] == "Rule 8 'Anything else': matches every referral"


def test_wildcard_category_reason_names_the_pattern():
    decision = route(facts(category="terrorist_recruitment"), DEFAULT_RULES, SLA)
    assert decision.reasons[0] == ("Rule 7 'Violent extremism': category terrorist_recruitment matches terrorist_*")


# priority, term by term (SPEC §4.3)


@pytest.mark.parametrize(
    ("kind", "points"),
    [
        ("removal_order", 100),
        ("emergency_request", 100),
        ("preservation_request", 50),
        ("le_referral", 40),
        ("notice", 20),
        ("something_new", 0),
    ],
)
def test_priority_kind_term(kind, points):
    assert priority(facts(kind=kind))[0] == points


@pytest.mark.parametrize(("severity", "points"), [("imminent", 80), ("high", 40), ("medium", 20), ("low", 0)])
def test_priority_severity_term(severity, points):
    assert priority(facts(severity=severity))[0] == 20 + points


@pytest.mark.parametrize(("trusted", "points"), [(True, 20), (False, 0)])
def test_priority_trusted_term(trusted, points):
    assert priority(facts(trusted_flagger=trusted))[0] == 20 + points


@pytest.mark.parametrize(("others", "points"), [(0, 0), (1, 10), (2, 20), (3, 30), (4, 40), (5, 40), (50, 40), (-1, 0)])
def test_priority_corroboration_is_ten_per_other_organisation_capped_at_forty(others, points):
    assert priority(facts(corroborating_organisations=others))[0] == 20 + points


@pytest.mark.parametrize("boost", [0, 15, -10])
def test_priority_adds_the_boost(boost):
    assert priority(facts(), boost)[0] == 20 + boost


def test_priority_explains_every_term():
    score, text = priority(
        facts(
            kind="removal_order",
            severity="imminent",
            trusted_flagger=False,
            corroborating_organisations=2,
        )
    )
    assert score == 200
    assert text == (
        "Priority 200 = kind removal_order 100 + severity imminent 80 + trusted 0"
        " + corroboration 20 (2 other organisations) + boost 0"
    )


def test_priority_explanation_uses_singular_for_one_organisation():
    assert "(1 other organisation)" in priority(facts(corroborating_organisations=1))[1]


def test_maximum_priority_of_a_trusted_corroborated_boosted_legal_order():
    f = facts(
        kind="emergency_request",
        severity="imminent",
        trusted_flagger=True,
        corroborating_organisations=9,
    )
    assert priority(f, 10)[0] == 100 + 80 + 20 + 40 + 10


def test_route_applies_the_matched_rules_boost():
    rules = (Rule("Boosted", "general", 1, priority_boost=25),)
    decision = route(facts(), rules, SLA)
    assert decision.priority == 45
    assert decision.reasons[1].endswith("+ boost 25")


# rule evaluation


def test_disabled_rules_are_skipped():
    rules = (
        Rule("Off", "urgent-threats", 1, enabled=False),
        Rule("On", "le-referrals", 2),
    )
    assert route(facts(), rules, SLA).queue == "le-referrals"


def test_rules_are_taken_by_order_not_by_position():
    rules = (Rule("Second", "general", 2), Rule("First", "le-referrals", 1))
    assert route(facts(), rules, SLA).rule_name == "First"


def test_equal_orders_keep_the_given_sequence():
    rules = (Rule("A", "general", 1), Rule("B", "le-referrals", 1))
    assert route(facts(), rules, SLA).rule_name == "A"


def test_every_condition_must_hold():
    rule = Rule(
        "German hate",
        "le-referrals",
        1,
        categories=frozenset({"hateful_conduct"}),
        countries=frozenset({"DE"}),
    )
    assert route(facts(category="hateful_conduct"), (rule,), SLA).queue == "le-referrals"
    assert route(facts(category="hateful_conduct", country="FR"), (rule,), SLA).queue == "general"
    assert route(facts(category="other"), (rule,), SLA).queue == "general"


@pytest.mark.parametrize(
    ("field", "values", "fact", "value", "matches"),
    [
        ("kinds", {"notice", "le_referral"}, "kind", "le_referral", True),
        ("kinds", {"notice"}, "kind", "le_referral", False),
        ("severities", {"high", "imminent"}, "severity", "high", True),
        ("severities", {"high"}, "severity", "low", False),
        ("countries", {"DE", "AT"}, "country", "AT", True),
        ("countries", {"de"}, "country", "DE", True),
        ("countries", {"DE"}, "country", "FR", False),
        ("countries", {"DE"}, "country", "", False),
        ("languages", {"ar"}, "language", "ar", True),
        ("languages", {"ar"}, "language", "AR", True),
        ("languages", {"ar"}, "language", "", False),
        ("submitter_kinds", {"le_agency"}, "submitter_kind", "le_agency", True),
        ("submitter_kinds", {"le_agency"}, "submitter_kind", "ngo", False),
        ("categories", {"terrorist_*"}, "category", "terrorist_threat", True),
        ("categories", {"terrorist_*"}, "category", "terrorist_", True),
        ("categories", {"terrorist_*"}, "category", "terrorist", False),
        ("categories", {"terrorist_*"}, "category", "glorification", False),
        ("categories", {"*"}, "category", "other", True),
        ("categories", {"*"}, "category", "", False),
        ("categories", {"propaganda"}, "category", "propaganda", True),
        ("categories", {"propaganda"}, "category", "propaganda_x", False),
        ("categories", {"terrorist*", "other"}, "category", "other", True),
    ],
)
def test_condition_matching(field, values, fact, value, matches):
    rule = Rule("R", "le-referrals", 1, **{field: frozenset(values)})
    decision = route(facts(**{fact: value}), (rule,), SLA)
    assert (decision.queue == "le-referrals") is matches


@pytest.mark.parametrize(
    ("wanted", "trusted", "matches"),
    [(True, True, True), (True, False, False), (False, False, True), (False, True, False)],
)
def test_trusted_flagger_condition(wanted, trusted, matches):
    rule = Rule("R", "le-referrals", 1, trusted_flagger=wanted)
    decision = route(facts(trusted_flagger=trusted), (rule,), SLA)
    assert (decision.queue == "le-referrals") is matches


def test_no_match_goes_to_the_fallback_queue_with_a_reason():
    rules = (Rule("Only orders", "legal-orders", 1, kinds=frozenset({"removal_order"})),)
    decision = route(facts(), rules, SLA)
    assert decision.queue == "general"
    assert decision.rule_name == ""
    assert decision.reasons[0] == "No rule matched; sent to the fallback queue 'general'"
    assert decision.due_at == T + timedelta(minutes=4320)


def test_no_rules_at_all_goes_to_the_fallback_queue():
    assert route(facts(), (), SLA).queue == "general"


def test_custom_fallback_queue():
    decision = route(facts(), (), {"triage": 30}, fallback="triage")
    assert (decision.queue, decision.due_at) == ("triage", T + timedelta(minutes=30))


def test_rule_pointing_at_a_queue_without_sla_falls_back_with_a_reason():
    rules = (Rule("Gone", "deleted-queue", 1, priority_boost=5),)
    decision = route(facts(), rules, SLA)
    assert decision.queue == "general"
    assert decision.rule_name == "Gone"
    assert decision.reasons[1] == ("Queue 'deleted-queue' has no SLA configured; sent to the fallback queue 'general'")
    assert decision.priority == 25  # the matched rule's boost still counts
    assert decision.due_at == T + timedelta(minutes=4320)


def test_missing_fallback_queue_is_a_configuration_error():
    with pytest.raises(KeyError, match="fallback"):
        route(facts(kind="removal_order"), DEFAULT_RULES, {"legal-orders": 60})


# deadlines (SPEC §4.4)


@pytest.mark.parametrize(
    ("overrides", "minutes", "why"),
    [
        ({"kind": "removal_order"}, 60, "removal orders have a 60-minute legal clock"),
        ({"kind": "emergency_request"}, 60, "emergency requests have a 60-minute clock"),
        ({"kind": "emergency_request", "severity": "imminent"}, 60, "emergency requests"),
        ({"kind": "preservation_request"}, 1440, "the SLA of queue 'preservation'"),
        ({"kind": "preservation_request", "severity": "imminent"}, 60, "imminent referrals"),
        ({"severity": "imminent"}, 60, "imminent referrals have a 60-minute clock"),
        ({"kind": "le_referral"}, 720, "the SLA of queue 'le-referrals'"),
        ({"kind": "le_referral", "severity": "high"}, 720, "the SLA of queue 'le-referrals'"),
        ({"trusted_flagger": True}, 720, "the SLA of queue 'trusted-flaggers'"),
        ({"category": "propaganda"}, 1440, "the SLA of queue 'violent-extremism'"),
        ({"category": "hateful_conduct"}, 4320, "the SLA of queue 'general'"),
    ],
)
def test_due_at_per_kind_severity_and_queue_sla(overrides, minutes, why):
    decision = route(facts(**overrides), DEFAULT_RULES, SLA)
    assert decision.due_at == T + timedelta(minutes=minutes)
    assert decision.reasons[-1].startswith(f"Due {minutes} minutes after receipt: ")
    assert why in decision.reasons[-1]


def test_due_at_follows_an_edited_queue_sla():
    decision = route(facts(kind="le_referral"), DEFAULT_RULES, {**SLA, "le-referrals": 90})
    assert decision.due_at == T + timedelta(minutes=90)


def test_legal_clock_ignores_a_longer_queue_sla():
    rules = (Rule("Everything", "general", 1),)
    decision = route(facts(kind="removal_order"), rules, SLA)
    assert (decision.queue, decision.due_at) == ("general", T + timedelta(minutes=60))


# duplicates (SPEC §4.5)


@pytest.mark.parametrize(
    ("kind", "suspended", "duplicate"),
    [
        ("notice", [True], True),
        ("notice", [True, True, True], True),
        ("le_referral", [True, True], True),
        ("notice", [True, False], False),
        ("notice", [False], False),
        ("notice", [], False),
        ("le_referral", [], False),
        ("removal_order", [True], False),
        ("emergency_request", [True, True], False),
        ("preservation_request", [True], False),
    ],
)
def test_is_duplicate(kind, suspended, duplicate):
    assert is_duplicate(kind, suspended) is duplicate


def test_is_duplicate_accepts_a_tuple():
    assert is_duplicate("notice", (True, True)) is True


# explain


def test_explain_evaluates_every_rule_in_order():
    result = explain(facts(trusted_flagger=True, category="propaganda"), DEFAULT_RULES)
    assert [rule.name for rule, _, _ in result] == [r.name for r in DEFAULT_RULES]
    assert [matched for _, matched, _ in result] == [
        False,
        False,
        False,
        False,
        False,
        True,
        True,
        True,
    ]
    first_match = next(rule for rule, matched, _ in result if matched)
    decision = route(facts(trusted_flagger=True, category="propaganda"), DEFAULT_RULES, SLA)
    assert first_match.name == decision.rule_name


def test_explain_says_why_each_condition_holds_or_not():
    result = explain(facts(kind="le_referral", category="terrorist_threat"), DEFAULT_RULES)
    why = {rule.name: reasons for rule, _, reasons in result}
    assert why["Legal orders"] == ["✗ kind le_referral is not emergency_request, removal_order"]
    assert why["Imminent threats"] == ["✗ severity low is not imminent"]
    assert why["Law-enforcement referrals"] == ["✓ kind is le_referral"]
    assert why["Trusted flaggers"] == ["✗ submitter is not a trusted flagger"]
    assert why["Violent extremism"] == ["✓ category terrorist_threat matches terrorist_*"]
    assert why["Anything else"] == ["✓ no conditions: matches every referral"]


def test_explain_lists_each_condition_of_a_multi_condition_rule():
    rule = Rule(
        "Arabic propaganda",
        "violent-extremism",
        1,
        categories=frozenset({"propaganda"}),
        languages=frozenset({"ar"}),
        countries=frozenset({"DE"}),
    )
    [(_, matched, reasons)] = explain(facts(category="propaganda", language=""), (rule,))
    assert matched is False
    assert reasons == [
        "✓ country is DE",
        "✗ language is not given; the rule needs ar",
        "✓ category is propaganda",
    ]


def test_explain_marks_disabled_rules_as_not_matching():
    rule = Rule("Off", "general", 1, enabled=False)
    [(_, matched, reasons)] = explain(facts(), (rule,))
    assert matched is False
    assert reasons[0] == "✗ rule is disabled"


def test_explain_of_no_rules_is_empty():
    assert explain(facts(), ()) == []
