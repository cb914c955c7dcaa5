"""Hubs (SPEC §14): `GET /api/v1/subjects/hubs/?days=`, and a queue lead raising a `network`
signal for one.

The referrals are filed through `referral_submit`, oldest first (referral numbers grow with
receipt), and the degrees below are counted by hand from them.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.errors import DomainError, NotAllowed, TransitionError
from portal.models import AuditEvent
from referrals.models import Detector, Kind, Referral, Status, Subject
from referrals.surfacing.selectors import hub_figures, hubs
from referrals.surfacing.services.network import network_signal_raise
from tests.referrals.review_factories import decided, received

pytestmark = pytest.mark.django_db

URL = "/api/v1/subjects/hubs/"


def subject(account: str) -> Subject:
    return Subject.objects.get(platform="x", account=account)


def rows(response) -> list[tuple]:
    return [(r["account"], r["weight"], r["accounts"], r["suspended_neighbours"]) for r in response.json()["results"]]


@pytest.fixture
def window(ngo_member, lead):
    """Forty days ago: hub with z. Today: s suspended; (hub, a, b); (hub, a); (hub, c); (a, s);
    hub twice (its handle and one of its posts) with d.

    Last 30 days: hub 2+1+1+1 = 5 with a, b, c, d; a 2+1+1 = 4 with hub, b, s (suspended);
    b 2 with hub, a; c 1; d 1; s is suspended. Last 60 days: hub 6, with z too."""
    received(ngo_member, accounts=("hub", "z"), received_at=timezone.now() - timedelta(days=40))
    decided(lead, ngo_member, accounts=("s",))
    received(ngo_member, accounts=("hub", "a", "b"))
    received(ngo_member, accounts=("hub", "a"))
    received(ngo_member, accounts=("hub", "c"))
    received(ngo_member, accounts=("a", "s"))
    received(
        ngo_member,
        targets=[
            {"platform": "x", "account": "hub"},
            {"url": "https://x.com/hub/status/1"},
            {"platform": "x", "account": "d"},
        ],
    )


# --- Who may read them ---------------------------------------------------------------------------


def test_anonymous_callers_are_refused(anon_api, window):
    assert anon_api.get(URL).status_code == 401


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin", "other_ngo_member", "liaison"])
def test_to_partners_hubs_do_not_exist(request, api_for, window, persona):
    response = api_for(request.getfixturevalue(persona)).get(URL)

    assert response.status_code == 404
    assert "hub" not in response.content.decode()


@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_platform_roles_read_them(request, api_for, window, persona):
    assert api_for(request.getfixturevalue(persona)).get(URL).status_code == 200


# --- The ranking ---------------------------------------------------------------------------------


def test_active_accounts_are_ranked_by_their_hand_counted_weighted_degree(api_for, reviewer, window):
    response = api_for(reviewer).get(URL)

    assert response.status_code == 200, response.content
    assert response.json()["days"] == 30
    assert rows(response)[:3] == [("hub", 5, 4, 0), ("a", 4, 3, 1), ("b", 2, 2, 0)]
    assert sorted(rows(response)[3:]) == [("c", 1, 1, 0), ("d", 1, 1, 0)]
    first = response.json()["results"][0]
    assert first == {
        "id": str(subject("hub").pk),
        "platform": "x",
        "account": "hub",
        "referral_count": 5,
        "weight": 5,
        "accounts": 4,
        "suspended_neighbours": 0,
    }


def test_the_window_counts_only_its_referrals(api_for, reviewer, window):
    client = api_for(reviewer)

    assert rows(client.get(URL, {"days": 60}))[0] == ("hub", 6, 5, 0)
    assert ("z", 1, 1, 0) in rows(client.get(URL, {"days": 60}))
    assert "z" not in [row[0] for row in rows(client.get(URL, {"days": 30}))]


def test_a_suspended_account_is_never_a_hub_but_counts_as_a_suspended_neighbour(
    api_for, reviewer, lead, ngo_member, window
):
    client = api_for(reviewer)
    assert "s" not in [row[0] for row in rows(client.get(URL))]
    assert rows(client.get(URL))[1] == ("a", 4, 3, 1)

    decided(lead, ngo_member, accounts=("hub",))

    assert [row[0] for row in rows(client.get(URL))][:2] == ["a", "b"]
    assert rows(client.get(URL))[0] == ("a", 4, 3, 2)  # a is linked to s and now to hub, suspended


def test_limit_keeps_the_first(api_for, reviewer, window):
    assert rows(api_for(reviewer).get(URL, {"limit": 2})) == [("hub", 5, 4, 0), ("a", 4, 3, 1)]


@pytest.mark.parametrize("params", [{"days": 0}, {"days": 366}, {"days": "month"}, {"limit": 0}, {"limit": 201}])
def test_a_window_or_limit_out_of_range_is_a_400(api_for, reviewer, window, params):
    response = api_for(reviewer).get(URL, params)

    assert response.status_code == 400
    assert set(response.json()) <= {"days", "limit"}


def test_nothing_received_in_the_window_is_an_empty_list(api_for, reviewer, ngo_member):
    received(ngo_member, accounts=("hub", "z"), received_at=timezone.now() - timedelta(days=40))

    assert api_for(reviewer).get(URL).json() == {"days": 30, "results": []}


def test_a_hubs_figures_are_its_row_of_the_ranking(reviewer, window):
    hub = hub_figures(reviewer, subject("a"))

    assert (hub.weight, hub.accounts, hub.suspended_neighbours) == (4, 3, 1)
    assert [(h.subject.account, h.weight) for h in hubs(reviewer)][:2] == [("hub", 5), ("a", 4)]


def test_the_query_count_does_not_depend_on_the_number_of_hubs(django_assert_num_queries, reviewer, ngo_member):
    received(ngo_member, accounts=("one", "two"))
    # 1 the window's first referral; 2 the ranking; 3 the accounts (with their suspended
    # neighbours, kept on each); 4 their figures.
    with django_assert_num_queries(4):
        assert len(hubs(reviewer)) == 2
    for n in range(30):
        received(ngo_member, accounts=(f"hub{n}", f"amp{n}", "one"))
    with django_assert_num_queries(4):
        assert len(hubs(reviewer)) == 50


def test_the_endpoint_costs_the_same_queries_for_any_number_of_hubs_or_links(api_for, reviewer, lead, ngo_member):
    received(ngo_member, accounts=("one", "two"))
    client = api_for(reviewer)
    client.get(URL)  # the token's first use records it once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    few = queries()
    received(ngo_member, accounts=("one", *[f"amp{i}" for i in range(40)]))
    decided(lead, ngo_member, accounts=tuple(f"amp{i}" for i in range(20)))  # 20 suspended, linked to one

    assert queries() == few
    assert rows(client.get(URL))[0] == ("one", 41, 41, 20)


# --- Raising a signal for a hub ------------------------------------------------------------------


def test_a_lead_raises_a_network_signal_with_the_hubs_figures_as_its_reason(lead, window):
    hub = subject("a")
    before = AuditEvent.objects.filter(action="signal.raise").count()

    signal = network_signal_raise(by=lead, subject=hub)

    signal.refresh_from_db()
    assert signal.kind == Kind.SIGNAL and signal.detector == Detector.NETWORK
    assert signal.surfaced_subject == hub
    assert signal.submitted_by is None  # a detector's signal: shown as "Surfacing"
    assert signal.signal_reasons == [
        "Hub: linked to 3 accounts by 4 co-referrals in the last 30 days; 1 suspended account is linked to it."
    ]
    assert [t.subject for t in signal.targets.all()] == [hub]
    assert AuditEvent.objects.filter(action="signal.raise").count() == before + 1


def test_a_reviewer_or_policy_staff_may_not_raise_one(reviewer, policy, window):
    for user in (reviewer, policy):
        with pytest.raises(NotAllowed):
            network_signal_raise(by=user, subject=subject("hub"))
    assert not Referral.objects.filter(kind=Kind.SIGNAL).exists()


def test_an_account_with_an_open_signal_is_not_raised_again(lead, window):
    first = network_signal_raise(by=lead, subject=subject("hub"))

    with pytest.raises(TransitionError, match=first.reference):
        network_signal_raise(by=lead, subject=subject("hub"))
    assert Referral.objects.filter(kind=Kind.SIGNAL).count() == 1


def test_a_suspended_account_or_one_never_co_named_is_not_raised(lead, ngo_member, window):
    with pytest.raises(TransitionError, match="already suspended"):
        network_signal_raise(by=lead, subject=subject("s"))
    received(ngo_member, accounts=("alone",))
    with pytest.raises(DomainError, match="not a hub"):
        network_signal_raise(by=lead, subject=subject("alone"))
    assert not Referral.objects.filter(kind=Kind.SIGNAL).exists()


def test_a_closed_signal_lets_the_lead_raise_another(lead, window):
    first = network_signal_raise(by=lead, subject=subject("hub"))
    Referral.objects.filter(pk=first.pk).update(status=Status.NO_VIOLATION)

    second = network_signal_raise(by=lead, subject=subject("hub"))

    assert second.pk != first.pk
