"""The TCO Regulation's hold (Art. 6, SPEC §17): content removed, disabled or whose account is
suspended under a removal order is kept six months from the decision, whatever the retention
setting, and the issuing agency may renew the hold for six months more while it lasts."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from partners.models import Organisation, OrganisationKind, Role
from portal.errors import NotAllowed, TransitionError
from portal.models import AuditEvent
from referrals.choices import HoldBasis
from referrals.intake.services.evidence import evidence_inspect_all, evidence_path, evidence_purge_expired
from referrals.law_enforcement.services.holds import add_months, tco_hold_renew
from referrals.law_enforcement.services.preservation import preservation_release_expired, preservation_remind_expiring
from referrals.models import Evidence, PreservationHold, Referral, TimelineEvent
from referrals.review.services.decisions import referral_decide
from referrals.review.services.routing import referral_route_batch
from tests.factories import OrganisationFactory, make_member
from tests.referrals.evidence_files import png_bytes, upload
from tests.referrals.factories import make_referral
from tests.referrals.review_factories import claimed

DECISION = {
    "ground": "legal",
    "policy": "Regulation (EU) 2021/784, Article 3",
    "statement_of_reasons": "The video incites terrorist offences and was acted on under the order.",
}
HOLDING_ACTIONS = ["content_removed", "content_restricted", "account_suspended"]


def order_decided(reviewer, liaison, action="content_removed", *, accounts=("held_account",), **decision) -> Referral:
    order = claimed(reviewer, liaison, "removal_order", accounts=accounts)
    referral_decide(by=reviewer, referral=order, **{**DECISION, "action": action, **decision})
    return Referral.objects.select_related("decision").get(pk=order.pk)


def six_months_from_today() -> date:
    return add_months(timezone.localdate(), 6)


@pytest.fixture
def other_agency_liaison(db):
    agency = OrganisationFactory(
        name="Other Police", slug="other-police", kind=OrganisationKind.LAW_ENFORCEMENT, email_domains=["op.test"]
    )
    return make_member(agency, Role.LE_LIAISON)


# --- Months ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 6, date(2026, 7, 15)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # February has no 31st
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # a leap year's last day of February
        (date(2026, 3, 31), 6, date(2026, 9, 30)),
        (date(2026, 12, 1), 6, date(2027, 6, 1)),
        (date(2026, 7, 31), 12, date(2027, 7, 31)),
    ],
)
def test_six_calendar_months_end_on_the_same_day_or_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


# --- Placing the hold ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("action", HOLDING_ACTIONS)
def test_acting_on_a_removal_order_holds_each_subject_for_six_months(liaison, reviewer, action):
    assert PreservationHold.objects.count() == 0
    order = order_decided(reviewer, liaison, action, accounts=("one", "two"))

    holds = PreservationHold.objects.filter(referral=order).select_related("subject")
    assert sorted(h.subject.account for h in holds) == ["one", "two"]
    assert {h.basis for h in holds} == {HoldBasis.REMOVAL_ORDER}
    assert {h.until for h in holds} == {add_months(timezone.localdate(order.decided_at), 6)}
    assert all(h.released_at is None for h in holds)
    event = TimelineEvent.objects.get(referral=order, type="tco_hold_placed")
    assert event.message.startswith("Content and data kept until ")
    assert event.message.endswith("under the TCO Regulation (Art. 6).")
    entry = AuditEvent.objects.get(action="tco_hold.place", object_id=str(order.pk))
    assert entry.data["until"] == six_months_from_today().isoformat()
    assert entry.data["subjects"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "decision",
    [
        {"action": "no_action"},
        {"action": "unable_to_comply", "non_compliance_reason": "manifest_error"},
        {"action": "label_applied"},
    ],
)
def test_a_removal_order_not_acted_on_holds_nothing(liaison, reviewer, decision):
    order = order_decided(reviewer, liaison, **decision)
    assert not PreservationHold.objects.filter(referral=order).exists()
    assert not TimelineEvent.objects.filter(referral=order, type="tco_hold_placed").exists()


@pytest.mark.django_db
def test_removing_content_on_a_notice_holds_nothing(ngo_member, reviewer):
    notice = claimed(reviewer, ngo_member, "notice", accounts=("someone",))
    referral_decide(by=reviewer, referral=notice, **{**DECISION, "ground": "terms", "action": "content_removed"})
    assert PreservationHold.objects.count() == 0


# --- Retention --------------------------------------------------------------------------------------


def order_with_evidence(lead, liaison, account: str) -> Referral:
    """A removal order with an evidence file, routed and decided `content_removed` by `lead`."""
    files = evidence_inspect_all([upload("video-still.png", png_bytes())])
    order = make_referral(liaison, "removal_order", targets=[{"platform": "x", "account": account}], evidence=files)
    referral_route_batch(seqs=[order.seq])
    order.refresh_from_db()
    referral_decide(by=lead, referral=order, **DECISION, action="content_removed")
    return Referral.objects.get(pk=order.pk)


@pytest.mark.django_db
def test_the_hold_keeps_the_orders_evidence_past_retention_until_it_is_released(liaison, lead, ngo_member, settings):
    settings.PORTAL_EVIDENCE_RETENTION_DAYS = 30
    order = order_with_evidence(lead, liaison, "held_account")
    # A notice about the same account, closed long ago, is kept by the same hold.
    files = evidence_inspect_all([upload("post.png", png_bytes())])
    notice = make_referral(ngo_member, targets=[{"platform": "x", "account": "held_account"}], evidence=files)
    unrelated = make_referral(ngo_member, targets=[{"platform": "x", "account": "someone_else"}], evidence=files)
    long_ago = timezone.now() - timedelta(days=100)
    Referral.objects.filter(pk__in=[order.pk, notice.pk, unrelated.pk]).update(status="actioned", closed_at=long_ago)
    kept = list(Evidence.objects.filter(referral__in=[order, notice]))

    assert evidence_purge_expired() == 1  # only the unrelated account's file
    for evidence in kept:
        evidence.refresh_from_db()
        assert evidence.file_deleted_at is None
        assert evidence_path(evidence.stored_name).exists()

    # The last day of the hold still keeps it; the day after, it is released and retention applies.
    last_day = timezone.now() + (six_months_from_today() - timezone.localdate())
    assert preservation_release_expired(now=last_day) == 0
    assert evidence_purge_expired(now=last_day) == 0
    after = last_day + timedelta(days=1)
    assert preservation_release_expired(now=after) == 1
    assert PreservationHold.objects.get(referral=order).released_at == after
    assert evidence_purge_expired(now=after) == 2
    for evidence in kept:
        evidence.refresh_from_db()
        assert evidence.file_deleted_at == after
        assert not evidence_path(evidence.stored_name).exists()
    released = TimelineEvent.objects.get(referral=order, type="preservation_released")
    assert "TCO Regulation" in released.message


# --- The reminder -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_agency_is_reminded_to_renew_a_week_before_the_hold_ends(
    liaison, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    order = order_decided(reviewer, liaison)
    mail.outbox.clear()
    week_before = timezone.now() + (six_months_from_today() - timezone.localdate()) - timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        assert preservation_remind_expiring(now=week_before) == 1
    assert [m.to for m in mailoutbox] == [[liaison.email]]
    assert order.reference in mailoutbox[0].subject
    assert "removal order" in mailoutbox[0].subject
    assert "renew the hold for six months" in mailoutbox[0].body
    event = TimelineEvent.objects.get(referral=order, type="preservation_expiring")
    assert event.message.startswith("The hold under the TCO Regulation on 1 account ends on")
    assert "Renew it before then" in event.message


# --- Renewal ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_agency_renews_the_hold_for_six_months_from_its_current_end(liaison, reviewer, agency):
    order = order_decided(reviewer, liaison, accounts=("a", "b"))
    PreservationHold.objects.filter(referral=order).update(reminder_sent_at=timezone.now())
    end = six_months_from_today()
    colleague = make_member(agency, Role.LE_LIAISON)

    until = tco_hold_renew(by=colleague, referral=order)

    assert until == add_months(end, 6)
    holds = PreservationHold.objects.filter(referral=order)
    assert {h.until for h in holds} == {until}
    assert {h.reminder_sent_at for h in holds} == {None}  # reminded again before the new end
    event = TimelineEvent.objects.get(referral=order, type="tco_hold_renewed")
    assert event.actor == colleague
    entry = AuditEvent.objects.get(action="tco_hold.renew", object_id=str(order.pk))
    assert entry.data == {"previous_until": end.isoformat(), "until": until.isoformat(), "holds": 2}

    again = tco_hold_renew(by=liaison, referral=order)
    assert again == add_months(until, 6)


@pytest.mark.django_db
def test_only_the_issuing_agencys_verified_liaisons_renew(
    liaison, reviewer, lead, policy, other_agency_liaison, ngo_member, agency
):
    order = order_decided(reviewer, liaison)
    for outsider in (other_agency_liaison, reviewer, lead, policy, ngo_member):
        with pytest.raises(NotAllowed):
            tco_hold_renew(by=outsider, referral=order)
    Organisation.objects.filter(pk=agency.pk).update(verified=False)
    liaison.membership.organisation.refresh_from_db()
    with pytest.raises(NotAllowed):
        tco_hold_renew(by=liaison, referral=order)
    assert {h.until for h in PreservationHold.objects.filter(referral=order)} == {six_months_from_today()}
    assert not AuditEvent.objects.filter(action="tco_hold.renew").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["ended", "released"])
def test_a_hold_that_ended_cannot_be_renewed(liaison, reviewer, how):
    order = order_decided(reviewer, liaison)
    if how == "ended":
        PreservationHold.objects.filter(referral=order).update(until=timezone.localdate() - timedelta(days=1))
    else:
        PreservationHold.objects.filter(referral=order).update(released_at=timezone.now())
    with pytest.raises(TransitionError):
        tco_hold_renew(by=liaison, referral=order)
    assert not TimelineEvent.objects.filter(referral=order, type="tco_hold_renewed").exists()


@pytest.mark.django_db
def test_a_preservation_hold_is_not_renewed_this_way(liaison, reviewer):
    request = claimed(reviewer, liaison, "preservation_request", accounts=("a",))
    referral_decide(by=reviewer, referral=request, **{**DECISION, "action": "data_preserved", "policy": "CCP s.12"})
    with pytest.raises(NotAllowed):
        tco_hold_renew(by=liaison, referral=request)


# --- The API --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_renews_and_answers_the_new_end(api_for, liaison, reviewer):
    order = order_decided(reviewer, liaison)
    response = api_for(liaison).post(f"/api/v1/referrals/{order.id}/hold/renew/")
    assert response.status_code == 200
    assert response.json() == {"until": add_months(six_months_from_today(), 6).isoformat()}


@pytest.mark.django_db
def test_the_api_refuses_others_and_an_ended_hold(api_for, anon_api, liaison, reviewer, other_agency_liaison):
    order = order_decided(reviewer, liaison)
    url = f"/api/v1/referrals/{order.id}/hold/renew/"
    assert anon_api.post(url).status_code == 401
    assert api_for(other_agency_liaison).post(url).status_code == 404
    assert api_for(reviewer).post(url).status_code == 403
    PreservationHold.objects.filter(referral=order).update(released_at=timezone.now())
    response = api_for(liaison).post(url)
    assert response.status_code == 409
    assert "ended" in response.json()["detail"]


# --- The page -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_order_page_shows_the_hold_and_the_agency_renews_after_confirming(client_for, liaison, reviewer):
    order = order_decided(reviewer, liaison)
    client = client_for(liaison)
    page = client.get(f"/referrals/{order.reference}/").content.decode()
    assert "Removal order (TCO Art. 6)" in page
    assert "held_account" in page
    assert f'href="/referrals/{order.reference}/hold/renew/"' in page
    assert "Renew for six months" in page

    confirm = client.get(f"/referrals/{order.reference}/hold/renew/")
    assert confirm.status_code == 200
    assert "Yes, renew for six months" in confirm.content.decode()
    assert {h.until for h in PreservationHold.objects.filter(referral=order)} == {six_months_from_today()}

    response = client.post(f"/referrals/{order.reference}/hold/renew/")
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{order.reference}/"
    assert {h.until for h in PreservationHold.objects.filter(referral=order)} == {
        add_months(six_months_from_today(), 6)
    }


@pytest.mark.django_db
def test_the_platform_sees_the_hold_but_no_renewal(client_for, liaison, reviewer, other_agency_liaison):
    order = order_decided(reviewer, liaison)
    page = client_for(reviewer).get(f"/referrals/{order.reference}/").content.decode()
    assert "Removal order (TCO Art. 6)" in page
    assert "Renew for six months" not in page
    assert client_for(reviewer).post(f"/referrals/{order.reference}/hold/renew/").status_code == 403
    assert client_for(other_agency_liaison).post(f"/referrals/{order.reference}/hold/renew/").status_code == 404
    assert {h.until for h in PreservationHold.objects.filter(referral=order)} == {six_months_from_today()}


@pytest.mark.django_db
def test_no_renewal_is_offered_once_the_hold_ended(client_for, liaison, reviewer):
    order = order_decided(reviewer, liaison)
    PreservationHold.objects.filter(referral=order).update(released_at=timezone.now())
    page = client_for(liaison).get(f"/referrals/{order.reference}/").content.decode()
    assert "Renew for six months" not in page
    assert client_for(liaison).get(f"/referrals/{order.reference}/hold/renew/").status_code == 404
