"""One set of list filters for the `/referrals/` page, the API list and the liaison's export
(SPEC §9 filters): the same query string selects the same referrals everywhere."""

import csv
import io
from datetime import UTC, datetime

import pytest

from referrals.models import Referral
from tests.referrals.factories import make_referral

API = "/api/v1/referrals/"
PAGE = "/referrals/"


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


@pytest.fixture
def around_a_day(ngo_member):
    """Four referrals around 10 March 2026 (UTC): the evening before, midnight exactly, midday,
    and the next midnight."""
    made = {}
    for name, at, category in [
        ("evening_before", "2026-03-09T23:59:59", "propaganda"),
        ("midnight", "2026-03-10T00:00:00", "glorification"),
        ("midday", "2026-03-10T12:00:00", "propaganda"),
        ("next_midnight", "2026-03-11T00:00:00", "other"),
    ]:
        referral = make_referral(ngo_member, category=category, targets=[{"url": f"https://x.com/{name}"}])
        Referral.objects.filter(pk=referral.pk).update(received_at=_at(at))
        made[name] = Referral.objects.get(pk=referral.pk)
    return made


def _api_references(client, params) -> list[str]:
    response = client.get(API, params)
    assert response.status_code == 200, response.json()
    return [r["reference"] for r in response.json()["results"]]


def _page_references(client, params) -> list[str]:
    response = client.get(PAGE, params)
    assert response.status_code == 200
    return [r.reference for r in response.context["referrals"]]


def _names(made, references) -> set[str]:
    by_reference = {r.reference: name for name, r in made.items()}
    return {by_reference[ref] for ref in references}


@pytest.mark.django_db
def test_received_before_a_date_is_strictly_before_that_day_on_the_page_as_in_the_api(
    api_for, client_for, ngo_member, around_a_day
):
    params = {"received_before": "2026-03-10"}
    api = _api_references(api_for(ngo_member), params)
    page = _page_references(client_for(ngo_member), params)
    assert _names(around_a_day, api) == {"evening_before"}  # the API's contract: before 10 March 00:00 UTC
    assert page == api


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"received_after": "2026-03-10"},
        {"received_after": "2026-03-10", "received_before": "2026-03-11"},
        {"received_before": "2026-03-10T12:00:00Z"},
        {"received_after": "2026-03-10T00:00:00+01:00"},
        {"category": "propaganda", "received_before": "2026-03-10T12:00:01"},
        {"status": "received", "kind": "notice"},
        {"status": "routed"},
        {"kind": "removal_order"},
        {"queue": "general"},
    ],
)
def test_the_same_query_string_gives_the_same_referrals_on_the_page_and_the_api(
    api_for, client_for, ngo_member, around_a_day, params
):
    api = _api_references(api_for(ngo_member), params)
    assert _page_references(client_for(ngo_member), params) == api


@pytest.mark.django_db
def test_a_day_selected_by_both_bounds_holds_exactly_that_day(api_for, client_for, ngo_member, around_a_day):
    params = {"received_after": "2026-03-10", "received_before": "2026-03-11"}
    assert _names(around_a_day, _page_references(client_for(ngo_member), params)) == {"midnight", "midday"}


@pytest.mark.django_db
def test_subject_filter_works_on_the_page_as_in_the_api(api_for, client_for, ngo_member, around_a_day):
    subject = around_a_day["midday"].targets.get().subject_id
    params = {"subject": str(subject)}
    api = _api_references(api_for(ngo_member), params)
    assert _names(around_a_day, api) == {"midday"}
    assert _page_references(client_for(ngo_member), params) == api


@pytest.mark.django_db
def test_platform_staff_filter_by_queue_on_the_page_as_in_the_api(api_for, client_for, reviewer, around_a_day):
    Referral.objects.filter(pk=around_a_day["midday"].pk).update(queue=_queue("general"), status="routed")
    params = {"queue": "general"}
    api = _api_references(api_for(reviewer), params)
    assert _names(around_a_day, api) == {"midday"}
    assert _page_references(client_for(reviewer), params) == api


def _queue(slug):
    from referrals.models import Queue

    return Queue.objects.get_or_create(slug=slug, defaults={"name": slug.title(), "sla_minutes": 60 * 72})[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"kind": "x"}, "kind"),
        ({"received_after": "soon"}, "received_after"),
        ({"received_before": "2026-13-01"}, "received_before"),
        ({"subject": "1"}, "subject"),
    ],
)
def test_a_bad_value_is_a_400_naming_the_field_in_the_api_and_a_form_error_on_the_page(
    api_for, client_for, ngo_member, around_a_day, params, field
):
    response = api_for(ngo_member).get(API, params)
    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert all(isinstance(m, str) and m for m in response.json()[field])

    page = client_for(ngo_member).get(PAGE, params)
    assert page.status_code == 200
    assert field in page.context["form"].errors
    assert list(page.context["referrals"]) == []  # nothing shown rather than an unfiltered list
    assert page.context["form"].errors[field][0] in page.content.decode()


@pytest.mark.django_db
def test_the_page_explains_that_received_before_excludes_the_day(client_for, ngo_member):
    html = client_for(ngo_member).get(PAGE).content.decode()
    assert "Received before" in html
    assert "not included" in html


@pytest.mark.django_db
def test_the_liaison_export_applies_the_same_filters(client_for, api_for, liaison):
    made = {}
    for name, at in [("before", "2026-03-09T23:00:00"), ("on_the_day", "2026-03-10T00:00:00")]:
        referral = make_referral(liaison, "le_referral", targets=[{"url": f"https://x.com/{name}"}])
        Referral.objects.filter(pk=referral.pk).update(received_at=_at(at))
        made[name] = referral
    params = {"received_before": "2026-03-10"}
    response = client_for(liaison).get("/referrals/export.csv", params)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    exported = [row["reference"] for row in rows]
    assert exported == [made["before"].reference]
    assert exported == _api_references(api_for(liaison), params)


@pytest.mark.django_db
def test_the_liaison_export_refuses_a_bad_filter_rather_than_exporting_everything(client_for, liaison):
    from portal.models import AuditEvent

    make_referral(liaison, "le_referral")
    response = client_for(liaison).get("/referrals/export.csv", {"received_before": "yesterday"})
    assert response.status_code == 400
    assert "received_before" in response.content.decode()
    assert not AuditEvent.objects.filter(action="referral.export").exists()
