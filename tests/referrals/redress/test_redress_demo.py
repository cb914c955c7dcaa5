"""The appeals demo (referrals.redress.demo): every state of an appeal, built once."""

from io import StringIO

import pytest
from django.core.management import call_command

from portal.models import User
from referrals.models import Appeal, Referral, Subject
from referrals.redress import demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_each_state_of_an_appeal_and_is_idempotent(routing_table, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    users = {u.email: u for u in User.objects.all()}

    demo.seed({"users": users})
    demo.seed({"users": users})

    story = Referral.objects.get(explanation__contains="satirical cartoon")
    assert story.status == "actioned" and story.decision.decided_by.email == "reviewer@demo.test"
    assert Appeal.objects.get(referral=story).outcome == "reversed"
    open_appeal = Appeal.objects.get(referral__explanation__contains="Archive account")
    assert (open_appeal.status, open_appeal.source) == ("open", "notifier")
    assert open_appeal.original_decided_by.email == "lead@demo.test"
    complaint = Appeal.objects.get(source="account_holder", referral__explanation__contains="pinned post")
    assert complaint.status == "open"
    assert Subject.objects.get(account="demo_temp_threats").suspended_by.decision.restriction_end is not None
    assert Appeal.objects.count() == 3
