import pytest

from campaigns import services
from campaigns.models import ContentItem, ContentStatus
from campaigns.selectors import content_items_visible_to
from portal.errors import DomainError, NotAllowed, TransitionError
from tests.campaigns.conftest import campaign_in, draft_item, item_in

ALL = list(ContentStatus.values)

# action → (service, the statuses it moves from, the status it leads to, who does it)
ACTIONS = {
    "submit": ("content_item_submit", {"draft", "changes_requested"}, "in_review", "author"),
    "approve": ("content_item_approve", {"in_review"}, "approved", "reviewer"),
    "request_changes": ("content_item_request_changes", {"in_review"}, "changes_requested", "reviewer"),
    "publish": ("content_item_publish", {"approved"}, "published", "author"),
    "withdraw": (
        "content_item_withdraw",
        {"draft", "in_review", "changes_requested", "approved"},
        "withdrawn",
        "author",
    ),
}


def _kwargs(action):
    if action == "publish":
        return {"published_url": "https://example.org/story"}
    if action == "request_changes":
        return {"comment": "Add a helpline."}
    return {}


@pytest.mark.parametrize("status", ALL)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_content_transition_is_allowed_or_refused(campaign, contributor, policy, action, status):
    item = item_in(status, campaign=campaign, author=contributor, reviewer=policy)
    assert item.status == status
    service, sources, target, actor = ACTIONS[action]
    by = contributor if actor == "author" else policy
    events_before = item.events.count()
    if status in sources:
        getattr(services, service)(by=by, item=item, **_kwargs(action))
        item.refresh_from_db()
        assert item.status == target
        last = item.events.last()
        assert (last.from_status, last.to_status, last.actor) == (status, target, by)
    else:
        with pytest.raises(TransitionError):
            getattr(services, service)(by=by, item=item, **_kwargs(action))
        assert ContentItem.objects.get(pk=item.pk).status == status
        assert item.events.count() == events_before


def test_the_history_records_every_step_with_who_and_comment(campaign, contributor, policy):
    item = item_in("changes_requested", campaign=campaign, author=contributor, reviewer=policy)
    services.content_item_submit(by=contributor, item=item, comment="Shortened.")
    services.content_item_approve(by=policy, item=item)
    services.content_item_publish(by=contributor, item=item, published_url="https://example.org/a")
    steps = [(e.action, e.actor, e.comment) for e in item.events.order_by("at", "id")]
    assert steps == [
        ("created", contributor, ""),
        ("submitted", contributor, ""),
        ("changes_requested", policy, "Shorter, please."),
        ("submitted", contributor, "Shortened."),
        ("approved", policy, ""),
        ("published", contributor, "https://example.org/a"),
    ]
    item.refresh_from_db()
    assert item.published_url == "https://example.org/a" and item.published_at is not None


def test_the_lead_partner_reviews_other_partners_content(campaign, contributor, lead_member):
    item = item_in("in_review", campaign=campaign, author=contributor, reviewer=None)
    services.content_item_approve(by=lead_member, item=item)
    assert ContentItem.objects.get(pk=item.pk).status == "approved"


def test_the_lead_partner_does_not_approve_its_own_content(campaign, lead_member, ngo_admin, policy):
    item = item_in("in_review", campaign=campaign, author=lead_member, reviewer=None)
    with pytest.raises(NotAllowed):
        services.content_item_approve(by=ngo_admin, item=item)
    services.content_item_approve(by=policy, item=item)


@pytest.mark.parametrize("action", ["content_item_approve", "content_item_request_changes"])
def test_a_contributor_does_not_review(campaign, lead_member, contributor, action):
    item = item_in("in_review", campaign=campaign, author=lead_member, reviewer=None)
    with pytest.raises(NotAllowed):
        getattr(services, action)(by=contributor, item=item, comment="no")
    assert ContentItem.objects.get(pk=item.pk).status == "in_review"


def test_requesting_changes_needs_a_comment(campaign, contributor, policy):
    item = item_in("in_review", campaign=campaign, author=contributor, reviewer=policy)
    with pytest.raises(DomainError) as exc:
        services.content_item_request_changes(by=policy, item=item, comment="  ")
    assert exc.value.field == "comment"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://example.org/x", "example.org", "", "https://example.org/a\x00b"]
)
def test_publishing_needs_an_http_address(campaign, contributor, policy, url):
    item = item_in("approved", campaign=campaign, author=contributor, reviewer=policy)
    with pytest.raises(DomainError) as exc:
        services.content_item_publish(by=contributor, item=item, published_url=url)
    assert exc.value.field == "published_url"
    assert ContentItem.objects.get(pk=item.pk).status == "approved"


def test_only_the_authors_organisation_submits_and_publishes(campaign, contributor, lead_member, policy):
    item = draft_item(campaign, contributor)
    with pytest.raises(NotAllowed):
        services.content_item_submit(by=lead_member, item=item)
    item = item_in("approved", campaign=campaign, author=contributor, reviewer=policy)
    with pytest.raises(NotAllowed):
        services.content_item_publish(by=policy, item=item, published_url="https://example.org/x")


def test_policy_staff_may_withdraw_any_item(campaign, contributor, policy):
    item = item_in("approved", campaign=campaign, author=contributor, reviewer=policy)
    services.content_item_withdraw(by=policy, item=item, comment="Off-message")
    assert ContentItem.objects.get(pk=item.pk).status == "withdrawn"


@pytest.mark.parametrize("persona", ["policy", "invited_member", "outsider", "liaison"])
def test_only_accepted_partners_write_content(request, campaign, persona):
    with pytest.raises(NotAllowed):
        draft_item(campaign, request.getfixturevalue(persona))
    assert not ContentItem.objects.exists()


def test_edits_are_allowed_while_a_draft_or_sent_back(campaign, contributor, policy):
    item = item_in("changes_requested", campaign=campaign, author=contributor, reviewer=policy)
    services.content_item_update(by=contributor, item=item, title="Story of Amal, shorter")
    assert ContentItem.objects.get(pk=item.pk).title == "Story of Amal, shorter"
    services.content_item_submit(by=contributor, item=item)
    with pytest.raises(TransitionError):
        services.content_item_update(by=contributor, item=item, title="Sneaky change")


def test_a_completed_campaign_takes_no_new_content(policy, ngo, ngo_member):
    campaign = campaign_in("completed", policy=policy, lead_org=ngo, lead_user=ngo_member)
    with pytest.raises(TransitionError):
        draft_item(campaign, ngo_member)


def test_drafts_are_seen_only_by_their_organisation(campaign, contributor, lead_member, policy):
    item = draft_item(campaign, contributor)
    assert item in content_items_visible_to(contributor)
    assert item not in content_items_visible_to(lead_member)
    assert item not in content_items_visible_to(policy)
    services.content_item_submit(by=contributor, item=item)
    assert item in content_items_visible_to(lead_member)
    assert item in content_items_visible_to(policy)


@pytest.mark.parametrize(
    ("action", "template_word"), [("approve", "Approved"), ("request_changes", "Changes requested")]
)
def test_the_author_is_emailed_when_reviewed(
    campaign, contributor, policy, action, template_word, django_capture_on_commit_callbacks, mailoutbox
):
    item = item_in("in_review", campaign=campaign, author=contributor, reviewer=policy)
    with django_capture_on_commit_callbacks(execute=True):
        getattr(services, ACTIONS[action][0])(by=policy, item=item, **_kwargs(action))
    assert [m.to for m in mailoutbox] == [[contributor.email]]
    assert mailoutbox[0].subject.startswith(template_word)
    assert f"/campaigns/{campaign.slug}/content/{item.pk}/" in mailoutbox[0].body
