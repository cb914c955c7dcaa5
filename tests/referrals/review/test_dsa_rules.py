"""The Python check of the Transparency Database's rules (dsa_rules) refuses what the
database refuses: the faults the portal's first export had, one by one, and a batch's."""

import pytest

from tests.referrals.dsa_rules import batch_response, statement_errors, unknown_fields

GOOD = {
    "puid": "R-2026-000123",
    "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
    "end_date_visibility_restriction": None,
    "decision_account": None,
    "end_date_account_restriction": None,
    "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
    "illegal_content_legal_ground": "Regulation (EU) 2021/784, Article 3",
    "illegal_content_explanation": "The video incites the commission of terrorist offences.",
    "incompatible_content_ground": None,
    "incompatible_content_explanation": None,
    "decision_facts": "The video incites the commission of terrorist offences.",
    "category": "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "category_specification": ["KEYWORD_TERRORIST_CONTENT"],
    "content_type": ["CONTENT_TYPE_VIDEO"],
    "content_type_other": None,
    "content_language": "EN",
    "content_date": "2026-05-01",
    "territorial_scope": ["DE", "FR"],
    "application_date": "2026-05-02",
    "source_type": "SOURCE_TYPE_OTHER_NOTIFICATION",
    "automated_detection": "No",
    "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
}


def test_a_complete_statement_is_accepted():
    assert statement_errors(GOOD) == {}
    assert unknown_fields(GOOD) == set()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"content_type": ["CONTENT_TYPE_OTHER"]}, "content_type_other"),
        ({"decision_visibility": []}, "decision_visibility"),
        ({"illegal_content_explanation": "x" * 2001}, "illegal_content_explanation"),
        ({"decision_facts": "x" * 5001}, "decision_facts"),
        ({"territorial_scope": ["DE", "GB"]}, "territorial_scope"),
        ({"territorial_scope": ["EL"]}, "territorial_scope"),
        ({"end_date_visibility_restriction": "2038-01-02"}, "end_date_visibility_restriction"),
        ({"content_language": "en"}, "content_language"),
        ({"puid": "R 2026.1"}, "puid"),
        ({"content_date": "1999-12-31"}, "content_date"),
        ({"content_date": "2026-5-1"}, "content_date"),
        ({"application_date": "2019-12-31"}, "application_date"),
        ({"automated_detection": "no"}, "automated_detection"),
        ({"category_specification": ["Terrorist content"]}, "category_specification"),
        ({"illegal_content_legal_ground": "   "}, "illegal_content_legal_ground"),
        ({"source_type": None}, "source_type"),
        ({"content_type": []}, "content_type"),
    ],
)
def test_each_fault_is_refused_on_its_field(change, field):
    assert field in statement_errors({**GOOD, **change})


def test_a_statement_that_restricts_nothing_is_refused_on_all_four_restrictions():
    errors = statement_errors({**GOOD, "decision_visibility": [], "decision_account": None})

    assert {"decision_visibility", "decision_monetary", "decision_provision", "decision_account"} <= set(errors)


def test_the_other_ground_is_excluded_not_checked():
    terms = {
        **GOOD,
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_ground": "Violent extremism policy 3.1",
        "incompatible_content_explanation": "x" * 2000,
        "illegal_content_explanation": "y" * 9000,  # ignored: the ground is the terms
    }

    assert statement_errors(terms) == {}
    assert "incompatible_content_ground" in statement_errors({**terms, "incompatible_content_ground": None})


def test_an_account_suspension_with_an_end_date_in_range_is_accepted():
    suspension = {
        **GOOD,
        "decision_visibility": [],
        "decision_account": "DECISION_ACCOUNT_SUSPENDED",
        "end_date_account_restriction": "2038-01-01",
        "content_type": ["CONTENT_TYPE_OTHER"],
        "content_type_other": "Account on x",
    }

    assert statement_errors(suspension) == {}


def test_a_batch_is_refused_whole_with_errors_by_index():
    status, body = batch_response({"statements": [GOOD, {**GOOD, "puid": "R-2", "content_type": []}]})

    assert status == 422
    assert list(body["errors"]) == ["statement_1"]


@pytest.mark.parametrize("count", [0, 101])
def test_a_batch_holds_one_to_a_hundred(count):
    statements = [{**GOOD, "puid": f"R-{n}"} for n in range(count)]

    assert batch_response({"statements": statements})[0] == 422


def test_an_identifier_is_taken_once():
    assert batch_response({"statements": [GOOD, GOOD]})[1]["errors"]["existing_puids"] == [GOOD["puid"]]
    assert batch_response({"statements": [GOOD]}, known_puids={GOOD["puid"]})[0] == 422
    assert batch_response({"statements": [GOOD]})[0] == 201
