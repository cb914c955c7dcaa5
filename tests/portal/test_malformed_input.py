"""No 500 from malformed input (SPEC §12): a bad cursor is a 404, deep JSON, a lone surrogate
and a NUL are 400s with a message, for the API and the pages alike; nothing is stored."""

import base64
import json

import pytest

from referrals.intake.services.validation import referral_clean
from referrals.models import BulkJob, Referral
from tests.referrals.factories import EXPLANATION, make_referral, referral_data
from tests.referrals.review_factories import routed

BAD_CURSOR = base64.b64encode(b"p=2026-12-01").decode()
DEEP = "[" * 10_000 + "]" * 10_000


@pytest.fixture
def ngo_api(api_for, ngo_member):
    return api_for(ngo_member)


def _post_json(api, path: str, body: str):
    return api.generic("POST", path, body, content_type="application/json")


# --- Cursors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/v1/referrals/", "/api/v1/queues/general/referrals/", "/api/v1/events/", "/api/v1/campaigns/"],
)
@pytest.mark.parametrize(
    "cursor",
    [
        BAD_CURSOR,
        base64.b64encode(b"p=%00").decode(),
        base64.b64encode(b"o=1&p=x%F0%9F%92%A5").decode(),
        "not-base64-at-all!",
    ],
)
def test_a_malformed_cursor_is_a_404_with_a_message(api_for, lead, ngo_member, routing_table, path, cursor):
    routed(ngo_member)
    response = api_for(lead).get(path, {"cursor": cursor})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor"}


def test_a_good_cursor_still_pages(api_for, ngo_member):
    for n in range(3):
        make_referral(ngo_member, targets=[{"platform": "x", "account": f"account{n}"}])
    api = api_for(ngo_member)
    first = api.get("/api/v1/referrals/", {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    assert len(first["results"]) == 2
    assert len(second["results"]) == 1


# --- JSON bodies -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/referrals/", "/api/v1/referrals/bulk/", "/api/v1/events/"])
def test_json_nested_ten_thousand_deep_is_a_400(api_for, ngo_member, policy, path):
    user = policy if path == "/api/v1/events/" else ngo_member
    response = _post_json(api_for(user), path, DEEP)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    assert Referral.objects.count() == BulkJob.objects.count() == 0


def test_a_lone_surrogate_is_a_400_naming_the_field(ngo_api):
    body = json.dumps(referral_data()).replace("posts recruitment", "posts \\ud800 recruitment")
    response = _post_json(ngo_api, "/api/v1/referrals/", body)
    assert response.status_code == 400
    assert list(response.json()) == ["explanation"]
    assert "surrogate" in response.json()["explanation"][0]
    assert not Referral.objects.exists()


def test_a_lone_surrogate_in_a_key_or_deep_inside_is_a_400(ngo_api):
    deep = json.dumps({"items": [referral_data(targets=[{"url": "https://x.com/a\ud800"}])]})
    key = json.dumps({**referral_data(), "\udfff": 1})
    for path, body, field in (("/api/v1/referrals/bulk/", deep, "items"), ("/api/v1/referrals/", key, None)):
        response = _post_json(ngo_api, path, body)
        assert response.status_code == 400
        assert field is None or list(response.json()) == [field]
    assert Referral.objects.count() == BulkJob.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("explanation", EXPLANATION + "\x00"),
        ("authority_reference", "CASE\x00-1"),
        ("targets", [{"url": "https://x.com/some\x00one"}]),
        ("language", "e\x00"),
    ],
)
def test_a_nul_in_a_text_field_is_a_400_naming_the_field(ngo_api, field, value):
    response = ngo_api.post("/api/v1/referrals/", {**referral_data(), field: value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Referral.objects.exists()


def test_a_nul_in_a_bulk_item_or_a_message_is_a_400(ngo_api, ngo_member):
    referral = make_referral(ngo_member)
    bulk = ngo_api.post("/api/v1/referrals/bulk/", {"items": [referral_data(explanation="x\x00" * 20)]}, format="json")
    message = ngo_api.post(f"/api/v1/referrals/{referral.id}/messages/", {"body": "hello\x00"}, format="json")
    assert (bulk.status_code, list(bulk.json())) == (400, ["items"])
    assert (message.status_code, list(message.json())) == (400, ["body"])
    assert not BulkJob.objects.exists()


def test_the_shared_validation_refuses_a_nul_for_the_form_and_csv_too():
    result = referral_clean(
        referral_data(explanation=EXPLANATION + "\x00", legal_basis="x\x00"), kinds_allowed=["notice"]
    )
    assert result.cleaned is None
    assert "explanation" in result.errors


def test_a_nul_in_a_form_post_is_an_error_on_the_form(client_for, ngo_member):
    data = referral_data()
    form = {**data, "targets": "https://x.com/someone", "explanation": EXPLANATION + "\x00"}
    response = client_for(ngo_member).post("/referrals/new/", form)
    assert response.status_code == 200
    assert "explanation" in response.context["form"].errors
    assert not Referral.objects.exists()


# --- Addresses and query strings -------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/referrals/R-2026-000001%00/",
        "/campaigns/calendar/?channel=%00",
        "/referrals/?q=%00",
        "/api/v1/referrals/?queue=%00",
        "/training/feed/%00aaaaaaaaaaaaaaaaaaaaaaaaaaa.ics",
    ],
)
def test_a_nul_in_the_address_is_a_400_with_a_message(client_for, ngo_member, path):
    response = client_for(ngo_member).get(path)
    assert response.status_code == 400
    assert b"NUL" in response.content


@pytest.mark.parametrize("before", ["\u00b2", "9" * 40, "-1", "\u0663"])
def test_a_malformed_page_position_shows_the_first_page(client_for, reviewer, ngo_member, before):
    referral = routed(ngo_member)
    subject = referral.targets.first().subject
    for path in ("/referrals/", f"/subjects/{subject.id}/"):
        user = ngo_member if path == "/referrals/" else reviewer
        response = client_for(user).get(path, {"before": before, "after": before})
        assert response.status_code == 200, path


# --- Form posts ----------------------------------------------------------------------------------

FORM_PAGES = {
    "referral": ("ngo_member", lambda r: "/referrals/new/", None),
    "reply": ("ngo_member", lambda r: f"/referrals/{r.reference}/reply/", "referrals.intake.forms.ReplyForm"),
    "withdraw": ("ngo_member", lambda r: f"/referrals/{r.reference}/withdraw/", "referrals.intake.forms.WithdrawForm"),
    "decide": ("lead", lambda r: f"/referrals/{r.reference}/decide/", "referrals.review.forms.DecisionForm"),
    "request-info": (
        "lead",
        lambda r: f"/referrals/{r.reference}/request-info/",
        "referrals.review.forms.RequestInfoForm",
    ),
    "api-token": ("ngo_member", lambda r: "/account/api-tokens/", None),
    "apply": (None, lambda r: "/partners/apply/", None),
    "invite": ("ngo_admin", lambda r: f"/partners/{r.organisation.slug}/invite/", None),
    "event": ("policy", lambda r: "/training/new/", None),
    "campaign": ("policy", lambda r: "/campaigns/new/", None),
    "rule": ("lead", lambda r: "/routing/rules/new/", None),
    "queue": ("lead", lambda r: f"/queues/{r.queue.slug}/edit/", None),
    "preferences": ("ngo_member", lambda r: "/account/preferences/", None),
}


@pytest.mark.parametrize("page", FORM_PAGES)
def test_a_nul_in_every_field_of_a_form_is_refused_not_a_500(request, client, routing_table, ngo_member, lead, page):
    from django.utils.module_loading import import_string

    from tests.conftest import login

    persona, url_of, form_class = FORM_PAGES[page]
    referral = routed(ngo_member)
    if persona == "lead":
        referral.queue.members.add(lead)
    url = url_of(referral)
    if persona:
        login(client, request.getfixturevalue(persona))
    fields = import_string(form_class).base_fields if form_class else client.get(url).context["form"].fields
    before = Referral.objects.values_list("status", flat=True).get(pk=referral.pk)

    response = client.post(url, {name: f"x\x00{name}" for name in fields})

    assert response.status_code in (200, 302, 400)
    assert Referral.objects.values_list("status", flat=True).get(pk=referral.pk) == before
