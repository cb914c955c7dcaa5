"""DRF throttling on the API: per person (every token and session of theirs together) and per
address for anonymous callers, with rates generous enough that no test or bulk use meets them."""

import pytest
from rest_framework.throttling import SimpleRateThrottle


@pytest.fixture
def rates(monkeypatch):
    """Lower a rate for one test (DRF's throttles read the rates dict of the settings)."""

    def lower(scope: str, rate: str) -> None:
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, rate)

    return lower


def test_the_api_is_throttled_per_user_and_per_anonymous_address_by_default(settings):
    api = settings.REST_FRAMEWORK
    assert api["DEFAULT_THROTTLE_CLASSES"] == [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ]
    user_count, user_period = api["DEFAULT_THROTTLE_RATES"]["user"].split("/")
    assert (int(user_count), user_period) == (5000, "minute")
    assert api["DEFAULT_THROTTLE_RATES"]["anon"] == "300/minute"
    # The address is REMOTE_ADDR until proxies are configured: X-Forwarded-For is the client's to write.
    assert api["NUM_PROXIES"] == 0


def test_a_person_over_the_rate_gets_429_across_all_their_tokens_and_others_do_not(
    api_for, ngo_member, other_ngo_member, rates
):
    rates("user", "3/minute")
    first, second = api_for(ngo_member), api_for(ngo_member)
    assert [first.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]

    over = second.get("/api/v1/me/")

    assert over.status_code == 429
    assert "throttled" in over.json()["detail"]
    assert int(over["Retry-After"]) > 0
    assert api_for(other_ngo_member).get("/api/v1/me/").status_code == 200


def test_anonymous_callers_are_throttled_by_their_address(anon_api, db, rates):
    rates("anon", "2/minute")
    codes = [anon_api.get("/api/v1/schema/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert anon_api.get("/api/v1/schema/", REMOTE_ADDR="198.51.100.7").status_code == 200
    # A made-up forwarding header does not buy a fresh allowance.
    assert anon_api.get("/api/v1/schema/", HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 429
