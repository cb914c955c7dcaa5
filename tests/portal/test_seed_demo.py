from io import StringIO

from django.core.management import call_command

from partners.models import Membership
from portal.models import User
from referrals.models import Queue, Referral, Status

DEMO_ROLES = {
    "ngo@demo.test": "ngo_member",
    "ngo-admin@demo.test": "ngo_admin",
    "ngo2@demo.test": "ngo_member",
    "liaison@demo.test": "le_liaison",
    "reviewer@demo.test": "reviewer",
    "lead@demo.test": "queue_lead",
    "policy@demo.test": "policy_staff",
}


def _seed():
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_the_demo_people_and_prints_their_logins(routing_table):
    output = _seed()
    for email, role in DEMO_ROLES.items():
        assert Membership.objects.get(user__email=email).role == role
        assert email in output
    admin = User.objects.get(email="admin@demo.test")
    assert admin.is_superuser
    assert User.objects.get(email="ngo@demo.test").check_password("demo-password")
    peace_voices = Membership.objects.get(user__email="ngo@demo.test").organisation
    assert peace_voices.verified and peace_voices.trusted_flagger
    assert not Membership.objects.get(user__email="ngo2@demo.test").organisation.trusted_flagger


def test_the_demo_reviewer_works_every_queue(routing_table):
    _seed()
    reviewer = User.objects.get(email="reviewer@demo.test")
    assert set(reviewer.queues.values_list("slug", flat=True)) == set(Queue.objects.values_list("slug", flat=True))


def test_demo_referrals_cover_every_settled_status_and_kind(routing_table):
    _seed()
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert set(Status) - {Status.RECEIVED} <= statuses
    assert {"notice", "le_referral", "removal_order", "preservation_request", "emergency_request"} <= set(
        Referral.objects.values_list("kind", flat=True)
    )


def test_seed_demo_is_idempotent(routing_table):
    _seed()
    counts = (User.objects.count(), Referral.objects.count())
    _seed()
    assert (User.objects.count(), Referral.objects.count()) == counts


def test_the_demo_speaks_french_and_arabic_through_two_partner_members(routing_table):
    _seed()
    people = {
        u.email: u for u in User.objects.filter(email__in=["ngo-fr@demo.test", "ngo-ar@demo.test", "ngo@demo.test"])
    }
    assert (people["ngo-fr@demo.test"].language, people["ngo-fr@demo.test"].time_zone) == ("fr", "Europe/Paris")
    assert (people["ngo-ar@demo.test"].language, people["ngo-ar@demo.test"].time_zone) == ("ar", "Asia/Amman")
    assert people["ngo@demo.test"].language == ""
    for email in ("ngo-fr@demo.test", "ngo-ar@demo.test"):
        assert Membership.objects.get(user__email=email).role == "ngo_member"


def test_the_demo_has_decision_and_question_templates_once(routing_table):
    from referrals.models import DecisionTemplate

    _seed()
    _seed()
    templates = {t.name: t for t in DecisionTemplate.objects.all()}
    assert len(templates) == 3
    assert templates["Recruitment for a proscribed group"].action == "account_suspended"
    assert templates["Ask for the original link"].is_request_for_information
