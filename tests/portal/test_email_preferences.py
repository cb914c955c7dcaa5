"""SPEC §19: each member chooses which e-mails they get, per kind, so a large organisation is
not flooded; in-app notifications stay on, and account and security e-mails are always sent."""

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from partners.models import Role
from portal import email_preferences
from portal.email_preferences import (
    KINDS,
    TEMPLATE_KIND,
    email_kind,
    kinds_for,
    user_set_email_preferences,
    wants_email,
)
from portal.models import AuditEvent, Notification
from portal.notifications import notify_users
from referrals.review.services.decisions import referral_decide
from tests.factories import make_member
from tests.referrals.review_factories import DECISION, claimed

pytestmark = pytest.mark.django_db

ORGANISATION = {"organisation": SimpleNamespace(name="Amal's Network"), "inviter": None, "token": "t"}
BULLETIN = {"incident": None, "title": "Floods", "body": "Shelters are open.", "path": "/incidents/floods/"}


def email_templates() -> set[str]:
    folder = Path(settings.BASE_DIR) / "templates" / "emails"
    return {path.name.removesuffix(".subject.txt") for path in folder.glob("*.subject.txt")}


def emailed(user) -> bool:
    return any(user.email in message.to for message in mail.outbox)


def prefer(user, **choices):
    user.email_preferences = choices
    user.save(update_fields=["email_preferences"])
    return user


# --- Kinds and defaults -------------------------------------------------------------------------


def test_every_e_mail_template_is_of_a_known_kind():
    known = {kind.code for kind in KINDS} | {"account"}
    assert email_templates() <= set(TEMPLATE_KIND)
    assert set(TEMPLATE_KIND.values()) <= known


def test_a_status_e_mail_that_announces_a_decision_is_of_the_decisions_kind():
    assert email_kind("referral_status", {"referral": SimpleNamespace(status="actioned"), "decision": None}) == (
        "decisions"
    )
    assert email_kind("referral_status", {"referral": SimpleNamespace(status="needs_info"), "decision": None}) == (
        "status"
    )


@pytest.fixture
def ngo_members_skip_status(monkeypatch):
    """A role whose default differs from the others' (NGO members without "status")."""
    monkeypatch.setattr(email_preferences, "DEFAULT_OFF", {Role.NGO_MEMBER: frozenset({"status"})})
    monkeypatch.setattr(email_preferences, "ROLE_DEPENDENT", frozenset({"status"}))


def test_ngo_members_get_decisions_messages_and_receipts_by_default(ngo_member, ngo_admin):
    for user in (ngo_member, ngo_admin):
        assert wants_email(user, "referral_status", {"referral": SimpleNamespace(status="actioned")})
        assert wants_email(user, "referral_status", {"referral": SimpleNamespace(status="routed")})
        assert wants_email(user, "referral_received")  # the confirmation of receipt, DSA Art. 16(4)
        assert wants_email(user, "message_received")
        assert wants_email(user, "appeal_decided")
        assert wants_email(user, "bulletin")


def test_a_roles_default_applies_to_whoever_did_not_choose(ngo_member, ngo_admin, ngo_members_skip_status):
    routed = {"referral": SimpleNamespace(status="routed")}
    assert not wants_email(ngo_member, "referral_status", routed)
    assert wants_email(ngo_admin, "referral_status", routed)
    assert wants_email(ngo_member, "referral_status", {"referral": SimpleNamespace(status="actioned")})


def test_liaisons_get_clock_production_notice_and_preservation_e_mails_by_default(liaison):
    for template in ("production_ready", "preservation_expiring", "tco_hold_expiring", "outbound_notice"):
        assert wants_email(liaison, template), template
    assert wants_email(liaison, "referral_status", {"referral": SimpleNamespace(status="actioned")})


def test_platform_staff_get_pages_deadlines_and_messages_by_default(reviewer, lead):
    for template in ("page", "page_again", "deadline_breached", "referral_escalated", "message_received"):
        assert wants_email(lead, template), template
    assert wants_email(reviewer, "page")


def test_each_role_is_offered_the_kinds_that_reach_it():
    assert {k.code for k in kinds_for(Role.LE_LIAISON)} == {
        "decisions",
        "status",
        "messages",
        "productions",
        "preservation",
        "notices",
        "appeals",
        "bulletins",
        "training",
    }
    assert "productions" not in [k.code for k in kinds_for(Role.NGO_MEMBER)]
    assert "campaigns" in [k.code for k in kinds_for(Role.NGO_ADMIN)]
    assert [k.code for k in kinds_for(Role.REVIEWER)] == ["messages", "clock", "training"]
    assert all(k.code != "account" for role in Role for k in kinds_for(role))


def test_account_and_security_e_mails_cannot_be_turned_off(ngo_member, lead):
    prefer(ngo_member, account=False, status=False, decisions=False)
    prefer(lead, account=False, clock=False, messages=False)
    assert wants_email(ngo_member, "invitation")
    assert wants_email(lead, "platform_role_changed")


# --- Sending ------------------------------------------------------------------------------------


def test_a_member_who_turned_decisions_off_is_told_in_app_but_not_by_e_mail(
    ngo_member, ngo_admin, reviewer, routing_table, django_capture_on_commit_callbacks
):
    colleague = make_member(ngo_member.membership.organisation, Role.NGO_MEMBER)
    referral = claimed(reviewer, ngo_member)
    prefer(ngo_member, decisions=False)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        referral_decide(by=reviewer, referral=referral, **DECISION)

    told = set(Notification.objects.filter(link__contains=referral.reference).values_list("user_id", flat=True))
    assert {ngo_member.pk, ngo_admin.pk, colleague.pk} <= told
    assert not emailed(ngo_member)
    assert emailed(ngo_admin)
    assert emailed(colleague)


def test_a_member_who_turned_a_kind_on_gets_it_though_their_role_does_not_by_default(
    ngo_member, django_capture_on_commit_callbacks, ngo_members_skip_status
):
    other = make_member(ngo_member.membership.organisation, Role.NGO_MEMBER)
    prefer(ngo_member, status=True)
    context = {"referral": SimpleNamespace(status="routed", get_status_display="Routed"), "reference": "NGO-1"}
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notes = notify_users([ngo_member, other], "referral_status", context)

    assert {n.user_id for n in notes} == {ngo_member.pk, other.pk}
    assert emailed(ngo_member)
    assert not emailed(other)


def test_a_group_in_which_nobody_wants_the_e_mail_enqueues_no_task(
    ngo_member, ngo_admin, django_capture_on_commit_callbacks
):
    prefer(ngo_member, bulletins=False)
    prefer(ngo_admin, bulletins=False)

    with django_capture_on_commit_callbacks() as callbacks:
        notes = notify_users([ngo_member, ngo_admin], "bulletin", BULLETIN)

    assert len(notes) == 2
    assert callbacks == []


def test_account_e_mails_are_sent_whatever_the_preferences(ngo_member, django_capture_on_commit_callbacks):
    prefer(ngo_member, **{kind.code: False for kind in KINDS}, account=False)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notify_users([ngo_member], "invitation", ORGANISATION)

    assert emailed(ngo_member)


def test_preferences_left_out_of_the_loaded_rows_are_still_respected(
    ngo_member, ngo_admin, django_capture_on_commit_callbacks
):
    prefer(ngo_member, bulletins=False)
    users = list(get_user_model().objects.filter(pk__in=[ngo_member.pk, ngo_admin.pk]).only("pk", "email"))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        notify_users(users, "bulletin", BULLETIN)

    assert not emailed(ngo_member)
    assert emailed(ngo_admin)


def test_preferences_cost_notify_users_no_query(
    ngo_member, ngo_admin, liaison, django_assert_num_queries, ngo_members_skip_status
):
    """Only the bulk insert of the notifications: the preferences are on the user rows, and the
    role (for a kind whose default depends on it) comes with the membership loaded with them."""
    prefer(ngo_member, status=True)
    users = list(
        get_user_model().objects.filter(pk__in=[ngo_member.pk, ngo_admin.pk, liaison.pk]).select_related("membership")
    )
    context = {"referral": SimpleNamespace(status="routed", get_status_display="Routed"), "reference": "NGO-1"}

    with django_assert_num_queries(1):
        notify_users(users, "referral_status", context)
    with django_assert_num_queries(1):
        notify_users(users, "bulletin", BULLETIN)


# --- The preferences page -----------------------------------------------------------------------


def test_the_page_offers_the_kinds_of_the_persons_role_checked_as_they_are_now(client_for, ngo_member):
    prefer(ngo_member, messages=False)

    page = client_for(ngo_member).get("/account/preferences/").content.decode()

    assert "<legend>Send me an e-mail about</legend>" in page
    assert "In-app notifications stay on" in page
    assert 'name="email-decisions" id="id_email-decisions" checked' in page.replace(
        'aria-describedby="id_email-decisions_helptext" ', ""
    )
    assert 'name="email-messages"' in page
    assert 'name="email-messages" id="id_email-messages" checked' not in page.replace(
        'aria-describedby="id_email-messages_helptext" ', ""
    )
    assert 'name="email-status" id="id_email-status" checked' in page.replace(
        'aria-describedby="id_email-status_helptext" ', ""
    )
    assert 'name="email-productions"' not in page
    assert 'name="email-account"' not in page


def test_a_liaison_is_offered_production_and_preservation_e_mails(client_for, liaison):
    page = client_for(liaison).get("/account/preferences/").content.decode()

    assert 'name="email-productions"' in page
    assert 'name="email-preservation"' in page
    assert 'name="email-campaigns"' not in page


def test_saving_the_page_stores_only_the_choices_that_differ_from_the_role_default(client_for, ngo_member):
    offered = [kind.code for kind in kinds_for(Role.NGO_MEMBER)]
    # Everything the page offered stays checked, except decisions.
    posted = {f"email-{code}": "on" for code in offered if code != "decisions"}

    response = client_for(ngo_member).post(
        "/account/preferences/", {"language": "", "time_zone": "", "email-shown": "True", **posted}
    )

    assert response.status_code == 302
    ngo_member.refresh_from_db()
    assert ngo_member.email_preferences == {"decisions": False}
    assert AuditEvent.objects.filter(action="user.email_preferences", object_id=str(ngo_member.pk)).exists()


def test_saving_without_the_e_mail_boxes_leaves_the_choices_alone(client_for, ngo_member):
    prefer(ngo_member, decisions=False)

    response = client_for(ngo_member).post("/account/preferences/", {"language": "fr", "time_zone": ""})

    assert response.status_code == 302
    ngo_member.refresh_from_db()
    assert ngo_member.language == "fr"
    assert ngo_member.email_preferences == {"decisions": False}


def test_choosing_the_role_default_again_forgets_the_choice(ngo_member):
    prefer(ngo_member, decisions=False)

    user_set_email_preferences(user=ngo_member, choices={"decisions": True})

    ngo_member.refresh_from_db()
    assert ngo_member.email_preferences == {}
