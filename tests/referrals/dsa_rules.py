"""The DSA Transparency Database's validation of statements of reasons, as a Python check.

Written from reading the database's own rules (the open-source
digital-services-act/transparency-database: `StatementStoreRequest`, the per-statement rules
of the multi-statement endpoint in `GroupedSubmissionsService`, and the value lists of the
`Statement` model and the European country and language services), so the tests refuse
what the database would refuse with a 422. Not a copy: the same rules, in Python.

How the framework applies them, and so how this check does:
- the request's strings are trimmed and empty strings become null before validation;
- a field that is absent is checked only by the "required" family of rules;
- a field that is present and null skips its other rules when it is `nullable`, and fails
  `in`, `array`, `date_format` and `regex` when it is not;
- `exclude_unless` / `exclude_if` take a field out of validation altogether;
- `in` on an array checks every element.

`statement_errors(statement)` returns `{field: [messages]}` (empty when accepted);
`batch_response(payload, known_puids)` answers as `POST /api/v1/statements` would.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime

# --- The value lists (keys of the model's constant maps, or the values where the rule uses them) ---

DECISION_VISIBILITIES = frozenset(
    {
        "DECISION_VISIBILITY_CONTENT_REMOVED",
        "DECISION_VISIBILITY_CONTENT_DISABLED",
        "DECISION_VISIBILITY_CONTENT_DEMOTED",
        "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
        "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
        "DECISION_VISIBILITY_CONTENT_LABELLED",
        "DECISION_VISIBILITY_OTHER",
    }
)
DECISION_MONETARIES = frozenset(
    {"DECISION_MONETARY_SUSPENSION", "DECISION_MONETARY_TERMINATION", "DECISION_MONETARY_OTHER"}
)
DECISION_PROVISIONS = frozenset(
    {
        "DECISION_PROVISION_PARTIAL_SUSPENSION",
        "DECISION_PROVISION_TOTAL_SUSPENSION",
        "DECISION_PROVISION_PARTIAL_TERMINATION",
        "DECISION_PROVISION_TOTAL_TERMINATION",
    }
)
DECISION_ACCOUNTS = frozenset({"DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED"})
ACCOUNT_TYPES = frozenset({"ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE"})
DECISION_GROUNDS = frozenset({"DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT"})
YES_NO = frozenset({"Yes", "No"})  # automated_detection and incompatible_content_illegal take the values
CONTENT_TYPES = frozenset(
    {
        "CONTENT_TYPE_APP",
        "CONTENT_TYPE_AUDIO",
        "CONTENT_TYPE_IMAGE",
        "CONTENT_TYPE_PRODUCT",
        "CONTENT_TYPE_SYNTHETIC_MEDIA",
        "CONTENT_TYPE_TEXT",
        "CONTENT_TYPE_VIDEO",
        "CONTENT_TYPE_OTHER",
    }
)
CATEGORIES = frozenset(
    "STATEMENT_CATEGORY_" + name
    for name in (
        "ANIMAL_WELFARE",
        "CONSUMER_INFORMATION",
        "CYBER_VIOLENCE",
        "CYBER_VIOLENCE_AGAINST_WOMEN",
        "DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        "ILLEGAL_OR_HARMFUL_SPEECH",
        "INTELLECTUAL_PROPERTY_INFRINGEMENTS",
        "NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
        "NOT_SPECIFIED_NOTICE",
        "OTHER_VIOLATION_TC",
        "PROTECTION_OF_MINORS",
        "RISK_FOR_PUBLIC_SECURITY",
        "SCAMS_AND_FRAUD",
        "SELF_HARM",
        "UNSAFE_AND_PROHIBITED_PRODUCTS",
        "VIOLENCE",
    )
)
KEYWORDS = frozenset(
    "KEYWORD_" + name
    for name in """
    ADULT_SEXUAL_MATERIAL AGE_SPECIFIC_RESTRICTIONS AGE_SPECIFIC_RESTRICTIONS_MINORS ANIMAL_HARM
    BIOMETRIC_DATA_BREACH BULLYING_AGAINST_GIRLS CHILD_SEXUAL_ABUSE_MATERIAL CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE
    CONTENT_PROMOTING_EATING_DISORDERS COORDINATED_HARM COPYRIGHT_INFRINGEMENT CYBER_BULLYING_INTIMIDATION
    CYBER_HARASSMENT CYBER_HARASSMENT_AGAINST_WOMEN CYBER_INCITEMENT CYBER_STALKING CYBER_STALKING_AGAINST_WOMEN
    DATA_FALSIFICATION DEFAMATION DESIGN_INFRINGEMENT DISCRIMINATION FEMALE_GENDERED_DISINFORMATION
    GEOGRAPHIC_INDICATIONS_INFRINGEMENT GEOGRAPHICAL_REQUIREMENTS GOODS_SERVICES_NOT_PERMITTED
    GROOMING_SEXUAL_ENTICEMENT_MINORS HATE_SPEECH HIDDEN_ADVERTISEMENT HUMAN_EXPLOITATION HUMAN_TRAFFICKING
    ILLEGAL_ORGANIZATIONS IMPERSONATION_ACCOUNT_HIJACKING INAUTHENTIC_ACCOUNTS INAUTHENTIC_LISTINGS
    INAUTHENTIC_USER_REVIEWS INCITEMENT_AGAINST_WOMEN INCITEMENT_VIOLENCE_HATRED INSUFFICIENT_INFORMATION_ON_TRADERS
    LANGUAGE_REQUIREMENTS MISINFORMATION_DISINFORMATION MISLEADING_INFO_CONSUMER_RIGHTS MISLEADING_INFO_GOODS_SERVICES
    MISSING_PROCESSING_GROUND NON_CONSENSUAL_IMAGE_SHARING NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN
    NON_CONSENSUAL_MATERIAL_DEEPFAKE NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN NONCOMPLIANCE_PRICING NUDITY
    PATENT_INFRINGEMENT PHISHING PROHIBITED_PRODUCTS PYRAMID_SCHEMES RIGHT_TO_BE_FORGOTTEN RISK_ENVIRONMENTAL_DAMAGE
    RISK_PUBLIC_HEALTH SELF_MUTILATION STALKING SUICIDE TERRORIST_CONTENT TRADE_SECRET_INFRINGEMENT
    TRADEMARK_INFRINGEMENT TRAFFICKING_WOMEN_GIRLS UNLAWFUL_SALE_ANIMALS UNSAFE_CHALLENGES UNSAFE_PRODUCTS
    VIOLATION_EU_LAW VIOLATION_NATIONAL_LAW OTHER
    """.split()  # noqa: SIM905 - a compact table is easier to check against the source
)
SOURCE_TYPES = frozenset(
    {"SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION", "SOURCE_VOLUNTARY"}
)
AUTOMATED_DECISIONS = frozenset(
    {"AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY", "AUTOMATED_DECISION_NOT_AUTOMATED"}
)
# The 27 EU countries with Iceland, Liechtenstein and Norway; Greece is GR here, not EL.
EEA = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK".split()  # noqa: SIM905
)
# ISO 639-1, upper case.
LANGUAGES = frozenset(
    """
    AA AB AE AF AK AM AN AR AS AV AY AZ BA BE BG BH BI BM BN BO BR BS CA CE CH CO CR CS CU CV CY DA
    DE DV DZ EE EL EN EO ES ET EU FA FF FI FJ FO FR FY GA GD GL GN GU GV HA HE HI HO HR HT HU HY HZ
    IA ID IE IG II IK IO IS IT IU JA JV KA KG KI KJ KK KL KM KN KO KR KS KU KV KW KY LA LB LG LI LN
    LO LT LU LV MG MH MI MK ML MN MR MS MT MY NA NB ND NE NG NL NN NO NR NV NY OC OJ OM OR OS PA PI
    PL PS PT QU RM RN RO RU RW SA SC SD SE SG SI SK SL SM SN SO SQ SR SS ST SU SV SW TA TE TG TH TI
    TK TL TN TO TR TS TT TW TY UG UK UR UZ VE VI VO WA WO XH YI YO ZA ZH ZU
    """.split()  # noqa: SIM905
)

FIELDS = frozenset(
    {
        "content_id",
        "content_id_ean",
        "decision_visibility",
        "decision_visibility_other",
        "decision_monetary",
        "decision_monetary_other",
        "decision_provision",
        "decision_account",
        "account_type",
        "category_specification",
        "category_specification_other",
        "decision_ground",
        "decision_ground_reference_url",
        "illegal_content_legal_ground",
        "illegal_content_explanation",
        "incompatible_content_ground",
        "incompatible_content_explanation",
        "incompatible_content_illegal",
        "content_type",
        "content_type_other",
        "category",
        "category_addition",
        "territorial_scope",
        "content_language",
        "content_date",
        "application_date",
        "end_date_account_restriction",
        "end_date_monetary_restriction",
        "end_date_service_restriction",
        "end_date_visibility_restriction",
        "decision_facts",
        "source_type",
        "source_identity",
        "automated_detection",
        "automated_decision",
        "puid",
    }
)
EARLIEST_CONTENT, EARLIEST_APPLICATION, LATEST = date(2000, 1, 1), date(2020, 1, 1), date(2038, 1, 1)
PUID = re.compile(r"[a-zA-Z0-9_-]+")
EAN13 = re.compile(r"[0-9]{13}")
URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
MISSING = object()


def _prepared(statement: Mapping) -> dict:
    """Trim strings and turn empty ones into null, as the request middleware does."""

    def clean(value):
        if isinstance(value, str):
            value = value.strip()
            return value or None
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    return {key: clean(value) for key, value in statement.items()}


def _filled(value) -> bool:
    """What the `required` rules count as given: not null, not an empty string or list."""
    return value is not MISSING and value is not None and value != "" and value != [] and value != {}


def _length(value) -> int:
    return len(value) if isinstance(value, str) else len(str(value)) if value is not None else 0


def _date(value) -> date | None:
    """`date_format:Y-m-d`: exactly four, two and two digits of a real date."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None


class _Check:
    def __init__(self, statement: Mapping):
        self.data = _prepared(statement)
        self.errors: dict[str, list[str]] = {}

    def get(self, field):
        return self.data.get(field, MISSING)

    def fail(self, field, message):
        self.errors.setdefault(field, []).append(message)

    # Rules, each applied as the framework does (see the module docstring).

    def validatable(self, field, *, nullable: bool) -> bool:
        value = self.get(field)
        return value is not MISSING and not (nullable and value is None)

    def required(self, field) -> bool:
        if not _filled(self.get(field)):
            self.fail(field, f"The {field} field is required.")
            return False
        return True

    def max(self, field, limit, *, nullable=False):
        if self.validatable(field, nullable=nullable) and _length(self.get(field)) > limit:
            self.fail(field, f"The {field} field must not be greater than {limit} characters.")

    def one_of(self, field, allowed: Iterable[str], *, nullable=False, array=False):
        if not self.validatable(field, nullable=nullable):
            return
        value = self.get(field)
        if array:
            if not isinstance(value, list):
                self.fail(field, f"The {field} field must be an array.")
                return
            if any(not isinstance(v, str) or v not in allowed for v in value):
                self.fail(field, f"The selected {field} is invalid.")
        elif not isinstance(value, str) or value not in allowed:
            self.fail(field, f"The selected {field} is invalid.")

    def date_between(self, field, earliest: date | None, latest: date, *, nullable=False):
        if not self.validatable(field, nullable=nullable):
            return
        value = _date(self.get(field))
        if value is None:
            self.fail(field, f"The {field} does not match the format YYYY-MM-DD.")
            return
        if earliest and value < earliest:
            self.fail(field, f"The {field} field must be a date after or equal to {earliest:%Y-%m-%d}.")
        if value > latest:
            self.fail(field, f"The {field} field must be a date before or equal to {latest:%Y-%m-%d}.")

    def exclude(self, field):
        self.data.pop(field, None)


def statement_errors(statement: Mapping, *, multi: bool = True) -> dict[str, list[str]]:
    """The database's verdict on one statement: `{field: [messages]}`, empty when accepted.

    `multi` applies the per-statement rules of `POST /api/v1/statements` (the batch the
    portal sends); False applies those of `POST /api/v1/statement`. They differ only in
    `source_identity`.
    """
    if not isinstance(statement, Mapping):
        return {"statement": ["A statement must be an object."]}
    c = _Check(statement)
    get = c.get

    # content_id: an object that may carry an EAN-13.
    if c.validatable("content_id", nullable=True):
        content_id = get("content_id")
        if not isinstance(content_id, dict):
            c.fail("content_id", "The content id field must be an array.")
        elif "EAN-13" in content_id and not (
            isinstance(content_id["EAN-13"], str) and EAN13.fullmatch(content_id["EAN-13"])
        ):
            c.fail("content_id.EAN-13", "The content_id.EAN-13 field format is invalid.")
    if not multi and c.validatable("content_id_ean", nullable=True):
        ean = get("content_id_ean")
        if not (isinstance(ean, str) and EAN13.fullmatch(ean)):
            c.fail("content_id_ean", "The content id ean field format is invalid.")

    # Restrictions: at least one of the four kinds.
    restrictions = ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")
    for field in restrictions:
        others = [f for f in restrictions if f != field]
        if not any(_filled(get(f)) for f in others) and not _filled(get(field)):
            c.fail(field, f"The {field} field is required when none of {' / '.join(others)} are present.")
    c.one_of("decision_visibility", DECISION_VISIBILITIES, nullable=True, array=True)
    c.one_of("decision_monetary", DECISION_MONETARIES, nullable=True)
    c.one_of("decision_provision", DECISION_PROVISIONS, nullable=True)
    c.one_of("decision_account", DECISION_ACCOUNTS, nullable=True)
    c.one_of("account_type", ACCOUNT_TYPES, nullable=True)

    visibility = get("decision_visibility")
    if isinstance(visibility, list) and "DECISION_VISIBILITY_OTHER" in visibility:
        if c.required("decision_visibility_other"):
            c.max("decision_visibility_other", 500)
    else:
        c.exclude("decision_visibility_other")
    if get("decision_monetary") == "DECISION_MONETARY_OTHER":
        if c.required("decision_monetary_other"):
            c.max("decision_monetary_other", 500)
    else:
        c.exclude("decision_monetary_other")

    c.one_of("category_specification", KEYWORDS, nullable=True, array=True)
    c.max("category_specification_other", 500)

    # The ground, and the explanation that goes with it.
    if c.required("decision_ground"):
        c.one_of("decision_ground", DECISION_GROUNDS)
    if c.validatable("decision_ground_reference_url", nullable=True):
        url = get("decision_ground_reference_url")
        if not (isinstance(url, str) and URL.fullmatch(url)):
            c.fail("decision_ground_reference_url", "The decision ground reference url field must be a valid URL.")
        c.max("decision_ground_reference_url", 500)
    illegal = get("decision_ground") == "DECISION_GROUND_ILLEGAL_CONTENT"
    incompatible = get("decision_ground") == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    for field, limit in (("illegal_content_legal_ground", 500), ("illegal_content_explanation", 2000)):
        if illegal:
            if c.required(field):
                c.max(field, limit)
        else:
            c.exclude(field)
    for field, limit in (("incompatible_content_ground", 500), ("incompatible_content_explanation", 2000)):
        if incompatible:
            if c.required(field):
                c.max(field, limit)
        else:
            c.exclude(field)
    if incompatible:
        c.one_of("incompatible_content_illegal", YES_NO)
    else:
        c.exclude("incompatible_content_illegal")

    # What the content was.
    if c.required("content_type"):
        c.one_of("content_type", CONTENT_TYPES, array=True)
    content_type = get("content_type")
    if isinstance(content_type, list) and "CONTENT_TYPE_OTHER" in content_type:
        if c.required("content_type_other"):
            c.max("content_type_other", 500)
    else:
        c.exclude("content_type_other")

    if c.required("category"):
        c.one_of("category", CATEGORIES)
    if c.validatable("category_addition", nullable=False):
        c.one_of("category_addition", CATEGORIES, array=True)

    c.one_of("territorial_scope", EEA, nullable=True, array=True)
    c.one_of("content_language", LANGUAGES, nullable=True)

    # Dates.
    if c.required("content_date"):
        c.date_between("content_date", EARLIEST_CONTENT, LATEST)
    if c.required("application_date"):
        c.date_between("application_date", EARLIEST_APPLICATION, LATEST)
    for field in (
        "end_date_account_restriction",
        "end_date_monetary_restriction",
        "end_date_service_restriction",
        "end_date_visibility_restriction",
    ):
        c.date_between(field, None, LATEST, nullable=True)

    if c.required("decision_facts"):
        c.max("decision_facts", 5000)
    if c.required("source_type"):
        c.one_of("source_type", SOURCE_TYPES)
    if multi or get("source_type") != "SOURCE_VOLUNTARY":
        c.max("source_identity", 500, nullable=multi)
    if c.required("automated_detection"):
        c.one_of("automated_detection", YES_NO)
    if c.required("automated_decision"):
        c.one_of("automated_decision", AUTOMATED_DECISIONS)
    if c.required("puid"):
        puid = get("puid")
        c.max("puid", 500)
        if not (isinstance(puid, str) and PUID.fullmatch(puid)):
            c.fail("puid", "The puid format is invalid.")
    return c.errors


def unknown_fields(statement: Mapping) -> set[str]:
    """Keys the database does not know (it ignores them; an export should not carry them)."""
    return set(statement) - FIELDS


def assert_accepted(statement: Mapping) -> None:
    """Fail the test, naming every fault, unless the database would accept `statement`."""
    errors = statement_errors(statement)
    extra = unknown_fields(statement)
    assert not errors and not extra, f"the Transparency Database would refuse it: {errors or ''} {extra or ''}"


def batch_response(payload, known_puids: Iterable[str] = ()) -> tuple[int, dict]:
    """What `POST /api/v1/statements` answers before storing anything: 422 and the errors,
    or (201, {}) when every statement passes. All or nothing: one fault refuses the batch."""
    statements = payload.get("statements") if isinstance(payload, Mapping) else None
    if not isinstance(statements, list) or not 1 <= len(statements) <= 100:
        return 422, {
            "message": "The statements field must have between 1 and 100 items.",
            "errors": {"statements": ["The statements field must have between 1 and 100 items."]},
        }
    errors = {}
    for index, statement in enumerate(statements):
        found = statement_errors(statement)
        if found:
            errors[f"statement_{index}"] = found
    if errors:
        return 422, {"errors": errors}
    puids = [s["puid"] for s in statements]
    known = set(known_puids)
    duplicates = sorted({p for p in puids if puids.count(p) > 1} | {p for p in puids if p in known})
    if duplicates:
        message = "The platform identifier(s) are not all unique within this call."
        return 422, {"message": message, "errors": {"puid": [message], "existing_puids": duplicates}}
    return 201, {}
