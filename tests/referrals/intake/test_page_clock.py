"""The referral page reads its clock from `clock_of`, as the work list does (SPEC §4.4)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.engine.clock import clock_of
from referrals.models import Referral
from tests.referrals.factories import make_referral


def _resumed_after_a_pause(referral, *, received_hours_ago: float, paused_hours: float, sla_hours: float = 12):
    """The state review leaves after `needs_info` and the submitter's answer: `due_at` moved on by
    the pause, the pause added to `paused_seconds`, the clock running again."""
    received_at = timezone.now() - timedelta(hours=received_hours_ago)
    Referral.objects.filter(pk=referral.pk).update(
        status="routed",
        received_at=received_at,
        due_at=received_at + timedelta(hours=sla_hours + paused_hours),
        paused_at=None,
        paused_seconds=int(paused_hours * 3600),
    )
    return Referral.objects.get(pk=referral.pk)


@pytest.mark.django_db
def test_page_does_not_flag_a_resumed_referral_at_risk_earlier_than_the_work_list(client_for, ngo_member):
    # 12 h budget, paused 4 h: due 16 h after receipt. 13 h in, 3 h are left: more than the
    # last 20 % of the 12 h the rules allow (2 h 24 min), so not at risk yet; a clock that
    # counts the pause as budget (16 h, last 20 % = 3 h 12 min) would flag it.
    referral = _resumed_after_a_pause(make_referral(ngo_member), received_hours_ago=13, paused_hours=4)
    clock = clock_of(referral)
    assert clock.is_at_risk(timezone.now()) is False

    response = client_for(ngo_member).get(f"/referrals/{referral.reference}/")

    assert response.status_code == 200
    assert response.context["at_risk"] is False
    assert response.context["clock"] == clock
    assert 'class="clock at-risk' not in response.content.decode()


@pytest.mark.django_db
def test_page_flags_a_resumed_referral_at_risk_in_its_last_fifth(client_for, ngo_member):
    referral = _resumed_after_a_pause(make_referral(ngo_member), received_hours_ago=14, paused_hours=4)
    assert clock_of(referral).is_at_risk(timezone.now()) is True

    response = client_for(ngo_member).get(f"/referrals/{referral.reference}/")

    assert response.context["at_risk"] is True
    assert 'class="clock at-risk' in response.content.decode()


@pytest.mark.django_db
def test_page_shows_a_paused_clock_frozen(client_for, ngo_member):
    referral = make_referral(ngo_member)
    paused_at = timezone.now() - timedelta(minutes=30)
    Referral.objects.filter(pk=referral.pk).update(
        status="needs_info", paused_at=paused_at, due_at=referral.received_at + timedelta(hours=12)
    )
    referral = Referral.objects.get(pk=referral.pk)

    response = client_for(ngo_member).get(f"/referrals/{referral.reference}/")

    assert response.context["remaining"] == clock_of(referral).remaining(timezone.now())
    assert response.context["at_risk"] is False
    assert "Clock paused" in response.content.decode()
