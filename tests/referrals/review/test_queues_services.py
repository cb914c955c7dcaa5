"""Queue leads edit queues and routing rules; everyone else is refused (SPEC §4.2)."""

import pytest

from portal.errors import DomainError, NotAllowed
from referrals.models import Queue, RoutingRule
from referrals.review.services.queues import queue_update, rule_delete, rule_is_fallback, rule_save

pytestmark = pytest.mark.django_db


def test_a_lead_adds_a_rule_with_conditions(lead):
    queue = Queue.objects.get(slug="urgent-threats")

    rule = rule_save(by=lead, order=2, name="German threats", queue=queue, countries=["de"], categories=["terrorist_*"])

    assert (rule.countries, rule.categories) == (["DE"], ["terrorist_*"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"categories": ["knitting"]}, "categories"),
        ({"countries": ["Germany"]}, "countries"),
        ({"order": 0}, "order"),
        ({"name": " "}, "name"),
        ({"priority_boost": 500}, "priority_boost"),
    ],
)
def test_a_bad_rule_is_refused_on_its_field(lead, change, field):
    fields = {"order": 1, "name": "Rule", "queue": Queue.objects.get(slug="general"), **change}

    with pytest.raises(DomainError) as error:
        rule_save(by=lead, **fields)

    assert error.value.field == field


def test_only_leads_edit_rules_and_queues(reviewer, policy):
    rule = RoutingRule.objects.first()
    queue = Queue.objects.get(slug="general")
    for person in (reviewer, policy):
        with pytest.raises(NotAllowed):
            rule_delete(by=person, rule=rule)
        with pytest.raises(NotAllowed):
            queue_update(by=person, queue=queue, name="General", description="", sla_minutes=5, members=[])


def test_queue_members_must_be_platform_reviewers(lead, ngo_member):
    with pytest.raises(DomainError) as error:
        queue_update(
            by=lead,
            queue=Queue.objects.get(slug="general"),
            name="General",
            description="",
            sla_minutes=60,
            members=[ngo_member],
        )

    assert error.value.field == "members"


def test_the_fallback_rule_cannot_be_deleted(lead):
    fallback = RoutingRule.objects.get(queue__slug="general", kinds=[], categories=[], severities=[])
    assert rule_is_fallback(fallback)
    assert not any(rule_is_fallback(rule) for rule in RoutingRule.objects.exclude(pk=fallback.pk))

    with pytest.raises(DomainError, match="fallback rule"):
        rule_delete(by=lead, rule=fallback)

    assert RoutingRule.objects.filter(pk=fallback.pk).exists()


def test_the_fallback_rule_stays_a_catch_all_into_the_fallback_queue(lead):
    fallback = RoutingRule.objects.get(queue__slug="general", kinds=[], categories=[], severities=[])
    fields = {"order": fallback.order, "name": "Anything left", "queue": fallback.queue}

    for change in ({"kinds": ["notice"]}, {"queue": Queue.objects.get(slug="urgent-threats")}):
        with pytest.raises(DomainError, match="fallback rule"):
            rule_save(by=lead, rule=fallback, **{**fields, **change})

    renamed = rule_save(by=lead, rule=fallback, priority_boost=5, **fields)
    assert (renamed.name, renamed.priority_boost) == ("Anything left", 5)
    assert rule_is_fallback(renamed)
