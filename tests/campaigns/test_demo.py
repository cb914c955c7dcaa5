from campaigns import demo
from campaigns.models import Campaign, CampaignPartner, ContentItem, MetricReport
from partners import demo as partners_demo


def test_the_demo_campaigns_are_seeded_once_in_different_states(db):
    context = partners_demo.seed({})
    demo.seed(context)
    counts = (Campaign.objects.count(), ContentItem.objects.count(), MetricReport.objects.count())
    assert dict(Campaign.objects.values_list("slug", "status")) == {
        "voices-of-return": "active",
        "open-doors": "completed",
        "hope-over-hate": "draft",
    }
    assert CampaignPartner.objects.filter(status="invited", organisation__slug="civic-resilience").exists()
    assert set(ContentItem.objects.values_list("status", flat=True)) == {
        "draft",
        "in_review",
        "changes_requested",
        "approved",
        "published",
    }
    demo.seed(context)
    assert (Campaign.objects.count(), ContentItem.objects.count(), MetricReport.objects.count()) == counts
