import datetime as dt

import pytest

from campaigns import services
from campaigns.models import Campaign, CampaignStatus
from campaigns.services import CAMPAIGN_TRANSITIONS
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.models import AuditEvent
from tests.campaigns.conftest import END, START, add_partner, campaign_in, make_campaign

ALL = list(CampaignStatus.values)
PAIRS = [(old, new) for old in ALL for new in ALL if old != new]


def test_the_transition_table_is_the_documented_one():
    assert {k: set(v) for k, v in CAMPAIGN_TRANSITIONS.items()} == {
        "draft": {"active", "archived"},
        "active": {"paused", "completed"},
        "paused": {"active", "completed"},
        "completed": {"archived"},
        "archived": set(),
    }


@pytest.mark.parametrize(("old", "new"), PAIRS)
def test_every_status_transition_is_allowed_or_refused_as_the_table_says(old, new, policy, ngo, ngo_member):
    campaign = campaign_in(old, policy=policy, lead_org=ngo, lead_user=ngo_member)
    assert campaign.status == old
    if new in CAMPAIGN_TRANSITIONS[old]:
        services.campaign_change_status(by=policy, campaign=campaign, status=new)
        assert Campaign.objects.get(pk=campaign.pk).status == new
        assert AuditEvent.objects.filter(action="campaign.status", data__new=new).exists()
    else:
        with pytest.raises(TransitionError):
            services.campaign_change_status(by=policy, campaign=campaign, status=new)
        assert Campaign.objects.get(pk=campaign.pk).status == old


def test_a_campaign_cannot_become_active_without_an_accepted_lead(policy, ngo):
    campaign = make_campaign(policy)
    add_partner(policy, campaign, ngo, "lead")  # invited, not accepted
    with pytest.raises(TransitionError, match="lead partner"):
        services.campaign_change_status(by=policy, campaign=campaign, status="active")
    assert Campaign.objects.get(pk=campaign.pk).status == "draft"


def test_a_contributor_alone_does_not_make_a_campaign_ready(policy, ngo, ngo_member):
    campaign = make_campaign(policy)
    add_partner(policy, campaign, ngo, "contributor", ngo_member)
    with pytest.raises(TransitionError):
        services.campaign_change_status(by=policy, campaign=campaign, status="active")


def test_a_campaign_cannot_become_active_when_it_ends_the_day_it_starts(policy, ngo, ngo_member):
    campaign = make_campaign(policy, start_date=START, end_date=START)
    add_partner(policy, campaign, ngo, "lead", ngo_member)
    with pytest.raises(TransitionError, match="end date"):
        services.campaign_change_status(by=policy, campaign=campaign, status="active")


def test_only_policy_staff_change_a_campaign_status(policy, ngo, ngo_member):
    campaign = campaign_in("draft", policy=policy, lead_org=ngo, lead_user=ngo_member)
    with pytest.raises(NotAllowed):
        services.campaign_change_status(by=ngo_member, campaign=campaign, status="active")


def test_an_unknown_status_is_a_field_error(policy):
    campaign = make_campaign(policy)
    with pytest.raises(DomainError) as exc:
        services.campaign_change_status(by=policy, campaign=campaign, status="launched")
    assert exc.value.field == "status" and exc.value.status_code == 400


def test_create_makes_a_draft_owned_by_its_creator_with_a_slug_from_the_title(policy):
    campaign = make_campaign(policy, title="Hope Over Hate")
    assert (campaign.status, campaign.owner, campaign.slug) == ("draft", policy, "hope-over-hate")
    assert make_campaign(policy, title="Hope Over Hate").slug == "hope-over-hate-2"


@pytest.mark.parametrize("slug", ["new", "calendar"])
def test_page_paths_are_never_used_as_slugs(policy, slug):
    assert make_campaign(policy, title=slug).slug == f"{slug}-campaign"
    with pytest.raises(DomainError) as exc:
        make_campaign(policy, slug=slug)
    assert exc.value.field == "slug"


def test_create_refuses_an_end_before_the_start(policy):
    with pytest.raises(DomainError) as exc:
        make_campaign(policy, start_date=START, end_date=START - dt.timedelta(days=1))
    assert exc.value.field == "end_date"
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("persona", ["ngo_member", "liaison", "reviewer", "lead"])
def test_only_policy_staff_create_campaigns(request, persona):
    with pytest.raises(NotAllowed):
        make_campaign(request.getfixturevalue(persona))


def test_update_changes_the_plan_and_is_audited(policy):
    campaign = make_campaign(policy)
    services.campaign_update(by=policy, campaign=campaign, goal="Fewer recruits", channels=["tiktok"])
    campaign.refresh_from_db()
    assert (campaign.goal, campaign.channels) == ("Fewer recruits", ["tiktok"])
    assert AuditEvent.objects.get(action="campaign.update").data["fields"] == ["channels", "goal"]


def test_an_archived_campaign_is_frozen(policy, ngo, ngo_member):
    campaign = campaign_in("archived", policy=policy, lead_org=ngo, lead_user=ngo_member)
    with pytest.raises(TransitionError):
        services.campaign_update(by=policy, campaign=campaign, goal="Again")


def test_a_running_campaign_must_keep_ending_after_it_starts(policy, ngo, ngo_member):
    campaign = campaign_in("active", policy=policy, lead_org=ngo, lead_user=ngo_member)
    with pytest.raises(DomainError) as exc:
        services.campaign_update(by=policy, campaign=campaign, end_date=campaign.start_date)
    assert exc.value.field == "end_date"
    assert Campaign.objects.get(pk=campaign.pk).end_date == END
