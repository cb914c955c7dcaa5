"""SPEC §4.5-4.6: when another organisation's decision closes a referral (a duplicate closed by
routing, or `apply_to_subject`), its submitter gets a neutral statement written for it and
never the other referral's reference, organisation, legal basis, grounds or statement; the
platform keeps the link. Every partner-facing surface is walked: API detail and events, the
referral page, the in-app notification and the e-mail."""

import json

import pytest
from django.core import mail

from portal.models import Notification
from referrals.models import Referral, Status
from referrals.review.services.decisions import referral_decide
from tests.referrals.review_factories import claimed, routed

pytestmark = pytest.mark.django_db

ORDER_DECISION = {
    "action": "account_suspended",
    "ground": "legal",
    "policy": "Regulation (EU) 2021/784 Article 3(3), order ORD-7731",
    "statement_of_reasons": "Suspended under the removal order of the counter-terrorism unit: incitement to terrorism.",
}


def secrets_of(order: Referral) -> list[str]:
    """What the notice's submitter must never read about the removal order."""
    return [
        order.reference,
        str(order.id),
        order.organisation.name,
        order.authority_reference,
        order.issuing_authority,
        order.legal_basis,
        "2021/784",
        "ORD-7731",
        "incitement",
        "removal order",
        ORDER_DECISION["statement_of_reasons"],
    ]


def assert_none_in(text: str, secrets: list[str], where: str) -> None:
    for secret in secrets:
        assert secret.lower() not in text.lower(), f"{where} shows {secret!r}"


def partner_surfaces(notice: Referral, member, api_for, client_for) -> dict[str, str]:
    api = api_for(member)
    detail = api.get(f"/api/v1/referrals/{notice.id}/")
    events = api.get(f"/api/v1/referrals/{notice.id}/events/")
    page = client_for(member).get(f"/referrals/{notice.reference}/")
    assert detail.status_code == events.status_code == page.status_code == 200
    notes = Notification.objects.filter(user=member, link=f"/referrals/{notice.reference}/")
    assert notes.exists()
    messages = [m for m in mail.outbox if member.email in m.to]
    assert messages
    return {
        "API detail": json.dumps(detail.json()),
        "API events": json.dumps(events.json()),
        "referral page": page.content.decode(),
        "notification": " ".join(f"{n.subject} {n.body}" for n in notes),
        "e-mail": " ".join(m.subject + m.body + "".join(a[0] for a in m.alternatives) for m in messages),
    }


@pytest.fixture
def order_decided_first(liaison, reviewer, django_capture_on_commit_callbacks):
    """A removal order about x.com/hyper, decided with a suspension before anything else."""
    order = claimed(reviewer, liaison, "removal_order", accounts=("hyper",))
    with django_capture_on_commit_callbacks(execute=True):
        referral_decide(by=reviewer, referral=order, **ORDER_DECISION)
    return Referral.objects.get(pk=order.pk)


# --- Closed by apply_to_subject -------------------------------------------------------------


def test_a_notice_closed_by_a_removal_order_decision_tells_its_submitter_nothing_of_the_order(
    liaison, other_ngo_member, reviewer, api_for, client_for, django_capture_on_commit_callbacks
):
    notice = routed(other_ngo_member, accounts=("hyper",))
    order = claimed(reviewer, liaison, "removal_order", accounts=("hyper",))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        referral_decide(by=reviewer, referral=order, **ORDER_DECISION)

    notice.refresh_from_db()
    assert notice.status == Status.ACTIONED
    assert notice.related_id == order.pk
    surfaces = partner_surfaces(notice, other_ngo_member, api_for, client_for)
    for where, text in surfaces.items():
        assert_none_in(text, secrets_of(order), where)
    decision = json.loads(surfaces["API detail"])["decision"]
    assert decision["action"] == "account_suspended"
    assert decision["ground"] == "terms"
    assert decision["statement_of_reasons"] == (
        "This account was suspended after review under the platform's rules. "
        "Your referral was closed with the same outcome."
    )


def test_a_notice_closed_by_another_ngos_decision_does_not_name_that_ngo_or_its_reasons(
    ngo_member, other_ngo_member, reviewer, api_for, client_for, django_capture_on_commit_callbacks
):
    notice = routed(other_ngo_member, accounts=("hyper",))
    source = claimed(reviewer, ngo_member, accounts=("hyper",))
    mail.outbox.clear()
    statement = "The account posts recruitment videos reported by our monitoring team in Leeds."

    with django_capture_on_commit_callbacks(execute=True):
        referral_decide(
            by=reviewer,
            referral=source,
            action="no_action",
            ground="terms",
            policy="Violent extremism policy 3.1 (Peace Voices case 12)",
            statement_of_reasons=statement,
        )

    notice.refresh_from_db()
    assert notice.status == Status.NO_VIOLATION
    secrets = [source.reference, str(source.id), source.organisation.name, statement, "Peace Voices case 12"]
    for where, text in partner_surfaces(notice, other_ngo_member, api_for, client_for).items():
        assert_none_in(text, secrets, where)


def test_a_liaisons_le_referral_closed_by_an_ngo_decision_does_not_name_the_ngo(
    ngo_member, liaison, reviewer, api_for, client_for, django_capture_on_commit_callbacks
):
    le_referral = routed(liaison, "le_referral", accounts=("hyper",))
    source = claimed(reviewer, ngo_member, accounts=("hyper",))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        referral_decide(by=reviewer, referral=source, **{**ORDER_DECISION, "ground": "terms", "policy": "Policy 3.1"})

    le_referral.refresh_from_db()
    assert le_referral.status == Status.ACTIONED
    secrets = [source.reference, str(source.id), source.organisation.name, ORDER_DECISION["statement_of_reasons"]]
    for where, text in partner_surfaces(le_referral, liaison, api_for, client_for).items():
        assert_none_in(text, secrets, where)


def test_platform_roles_still_see_which_decision_closed_the_notice(
    liaison, other_ngo_member, reviewer, api_for, client_for
):
    notice = routed(other_ngo_member, accounts=("hyper",))
    order = claimed(reviewer, liaison, "removal_order", accounts=("hyper",))

    referral_decide(by=reviewer, referral=order, **ORDER_DECISION)

    notice.refresh_from_db()
    assert notice.decision.applied_from.referral_id == order.pk
    events = api_for(reviewer).get(f"/api/v1/referrals/{notice.id}/events/").json()
    assert any(order.reference in e["message"] for e in events)
    page = client_for(reviewer).get(f"/referrals/{notice.reference}/").content.decode()
    assert f'href="/referrals/{order.reference}/"' in page


# --- Closed as a duplicate by routing ---------------------------------------------------------


def test_a_duplicate_of_a_removal_order_suspension_tells_its_submitter_only_that_the_platform_had_acted(
    order_decided_first, other_ngo_member, api_for, client_for, django_capture_on_commit_callbacks
):
    order = order_decided_first
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        duplicate = routed(other_ngo_member, accounts=("hyper",))

    assert duplicate.status == Status.DUPLICATE
    assert duplicate.related_id == order.pk
    surfaces = partner_surfaces(duplicate, other_ngo_member, api_for, client_for)
    for where, text in surfaces.items():
        assert_none_in(text, secrets_of(order), where)
    messages = [e["message"] for e in json.loads(surfaces["API events"])]
    assert "Closed as a duplicate: the platform had already acted on this account." in messages
    assert "the platform had already acted on this account" in surfaces["e-mail"]


def test_platform_roles_still_see_which_decision_made_it_a_duplicate(
    order_decided_first, other_ngo_member, reviewer, api_for, client_for
):
    order = order_decided_first

    duplicate = routed(other_ngo_member, accounts=("hyper",))

    events = api_for(reviewer).get(f"/api/v1/referrals/{duplicate.id}/events/").json()
    assert any(order.reference in e["message"] for e in events)
    page = client_for(reviewer).get(f"/referrals/{duplicate.reference}/").content.decode()
    assert f'href="/referrals/{order.reference}/"' in page


def test_a_notice_closed_by_its_own_organisations_decision_keeps_the_link(ngo_member, ngo_admin, reviewer):
    notice = routed(ngo_admin, accounts=("hyper",))
    source = claimed(reviewer, ngo_member, accounts=("hyper",))

    referral_decide(by=reviewer, referral=source, **{**ORDER_DECISION, "ground": "terms", "policy": "Policy 3.1"})

    notice.refresh_from_db()
    assert notice.decision.statement_of_reasons == ORDER_DECISION["statement_of_reasons"]
    assert notice.decision.policy == "Policy 3.1"
    assert notice.events.filter(message__contains=source.reference).exists()


def test_the_data_migration_rewrites_what_submitters_were_told_before(liaison, other_ngo_member, reviewer, api_for):
    """Referrals closed before the fix: their copied decision and timeline are rewritten."""
    import importlib

    from django.apps import apps

    from referrals.models import Decision, TimelineEvent

    notice = routed(other_ngo_member, accounts=("hyper",))
    order = claimed(reviewer, liaison, "removal_order", accounts=("hyper",))
    referral_decide(by=reviewer, referral=order, **ORDER_DECISION)
    old_message = f"Decision: Account suspended, applied from the decision on {order.reference} about the same account."
    Decision.objects.filter(referral=notice).update(
        ground="legal", policy=ORDER_DECISION["policy"], statement_of_reasons=ORDER_DECISION["statement_of_reasons"]
    )
    event = TimelineEvent.objects.get(referral=notice, type="decided")
    TimelineEvent.objects.filter(pk=event.pk).update(
        message=old_message, data={"action": "account_suspended", "applied_from": order.reference}
    )

    importlib.import_module("referrals.migrations.0006_neutral_copied_decisions").neutralise(apps, None)

    body = json.dumps(api_for(other_ngo_member).get(f"/api/v1/referrals/{notice.id}/").json())
    body += json.dumps(api_for(other_ngo_member).get(f"/api/v1/referrals/{notice.id}/events/").json())
    assert_none_in(body, secrets_of(Referral.objects.get(pk=order.pk)), "the rewritten referral")
    assert TimelineEvent.objects.get(pk=event.pk).data["platform_message"] == old_message
