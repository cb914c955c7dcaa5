import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from campaigns.models import Campaign, CampaignPartner, ContentItem, MetricReport
from tests.campaigns.conftest import END, START, TODAY, item_in

HEADER = "period_start,period_end,impressions,engagements,shares,clicks,content_item\n"


def _csv(text):
    return SimpleUploadedFile("metrics.csv", text.encode(), content_type="text/csv")


def test_policy_staff_create_a_campaign_through_the_form(client_for, policy):
    response = client_for(policy).post(
        "/campaigns/new/",
        {
            "title": "Hope Over Hate",
            "start_date": "2030-03-01",
            "end_date": "2030-04-30",
            "channels": "Instagram, youtube",
            "languages": "en, DE",
            "countries": "gb",
            "hashtags": "#HopeOverHate",
            "themes": ["propaganda"],
        },
    )
    campaign = Campaign.objects.get()
    assert response["Location"] == f"/campaigns/{campaign.slug}/"
    assert (campaign.channels, campaign.languages, campaign.countries, campaign.hashtags) == (
        ["instagram", "youtube"],
        ["en", "de"],
        ["GB"],
        ["HopeOverHate"],
    )


def test_the_campaign_form_reports_each_bad_field_and_saves_nothing(client_for, policy):
    response = client_for(policy).post(
        "/campaigns/new/",
        {"title": "", "start_date": "2030-03-01", "end_date": "2030-02-01", "languages": "english", "themes": ["x"]},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"title", "end_date", "languages", "themes"}
    assert not Campaign.objects.exists()


def test_a_csv_with_a_negative_count_or_an_out_of_range_period_is_refused_row_by_row(client_for, campaign, contributor):
    before = client_for(contributor).get(f"/campaigns/{campaign.slug}/").context["totals"]
    csv = (
        HEADER
        + f"{START},{START},100,10,1,1,\n"
        + f"{START},{START},-5,10,1,1,\n"
        + f"{START - dt.timedelta(days=1)},{START},100,10,1,1,\n"
    )
    response = client_for(contributor).post(f"/campaigns/{campaign.slug}/metrics/upload/", {"file": _csv(csv)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "2 of 3 rows have errors; nothing was imported." in body
    assert "Row 3: impressions — Must not be negative." in body
    assert "Row 4: period_start — Must be within the campaign" in body
    assert not MetricReport.objects.exists()
    after = client_for(contributor).get(f"/campaigns/{campaign.slug}/").context["totals"]
    assert before == after


def test_a_good_csv_updates_the_totals_and_the_chart(client_for, campaign, contributor):
    client = client_for(contributor)
    day = START + dt.timedelta(days=7)
    before = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert f"<title>{day.isoformat()}: 4,321 impressions</title>" not in before
    response = client.post(
        f"/campaigns/{campaign.slug}/metrics/upload/",
        {"file": _csv(HEADER + f"{START},{START + dt.timedelta(days=6)},1000,100,5,9,\n{day},{day},4321,200,7,3,\n")},
    )
    assert response.status_code == 302
    page = client.get(f"/campaigns/{campaign.slug}/")
    totals = page.context["totals"]
    assert (totals["impressions"], totals["engagements"], totals["shares"], totals["clicks"]) == (5321, 300, 12, 12)
    body = page.content.decode()
    assert f"<title>{day.isoformat()}: 4,321 impressions</title>" in body
    assert f"<title>{day.isoformat()}: 200 engagements</title>" in body
    assert f"<title>{day.isoformat()}: 4.63 % engagement rate</title>" in body
    assert "Metrics per reporting period (the data of the charts)" in body


def test_the_metric_form_reports_an_out_of_range_period_on_its_field(client_for, campaign, lead_member):
    response = client_for(lead_member).post(
        f"/campaigns/{campaign.slug}/metrics/",
        {
            "period_start": START.isoformat(),
            "period_end": (END + dt.timedelta(days=3)).isoformat(),
            "impressions": 5,
            "engagements": 1,
            "shares": 0,
            "clicks": 0,
        },
    )
    assert response.status_code == 200
    assert "period_end" in response.context["form"].errors
    assert not MetricReport.objects.exists()


def test_an_invited_member_accepts_on_the_page_and_then_sees_the_campaign(client_for, campaign, invited_member):
    client = client_for(invited_member)
    response = client.post(f"/campaigns/{campaign.slug}/partners/invited-ngo/accept/")
    assert response["Location"] == f"/campaigns/{campaign.slug}/"
    assert CampaignPartner.objects.get(organisation__slug="invited-ngo").status == "accepted"
    assert "Key messages" in client.get(f"/campaigns/{campaign.slug}/").content.decode()


def test_a_declined_invitation_makes_the_campaign_a_404(client_for, campaign, invited_member):
    client = client_for(invited_member)
    client.post(f"/campaigns/{campaign.slug}/partners/invited-ngo/decline/")
    assert client.get(f"/campaigns/{campaign.slug}/").status_code == 404


def test_content_goes_from_draft_to_published_through_the_pages(client_for, campaign, contributor, lead_member):
    author = client_for(contributor)
    response = author.post(
        f"/campaigns/{campaign.slug}/content/new/",
        {"title": "Story of Amal", "body": "Script", "channel": "instagram", "language": "en", "submit": "1"},
    )
    item = ContentItem.objects.get()
    assert response["Location"] == f"/campaigns/{campaign.slug}/content/{item.pk}/"
    assert item.status == "in_review"
    lead = client_for(lead_member)
    lead.post(f"/campaigns/{campaign.slug}/content/{item.pk}/request-changes/", {"comment": "Add a helpline."})
    item.refresh_from_db()
    assert item.status == "changes_requested"
    page = author.get(f"/campaigns/{campaign.slug}/content/{item.pk}/").content.decode()
    assert "Add a helpline." in page and "Resubmit for review" in page
    author.post(f"/campaigns/{campaign.slug}/content/{item.pk}/submit/")
    lead.post(f"/campaigns/{campaign.slug}/content/{item.pk}/approve/")
    author.post(f"/campaigns/{campaign.slug}/content/{item.pk}/publish/", {"published_url": "https://example.org/a"})
    item.refresh_from_db()
    assert (item.status, item.published_url) == ("published", "https://example.org/a")


def test_a_bad_published_address_is_refused_on_the_page(client_for, campaign, contributor, policy):
    item = item_in("approved", campaign=campaign, author=contributor, reviewer=policy)
    response = client_for(contributor).post(
        f"/campaigns/{campaign.slug}/content/{item.pk}/publish/", {"published_url": "javascript:alert(1)"}, follow=True
    )
    assert "must start with http" in response.content.decode()
    assert ContentItem.objects.get(pk=item.pk).status == "approved"


def test_a_wrong_transition_on_the_page_is_a_message_not_a_change(client_for, campaign, contributor, policy):
    item = item_in("published", campaign=campaign, author=contributor, reviewer=policy)
    response = client_for(contributor).post(f"/campaigns/{campaign.slug}/content/{item.pk}/withdraw/", follow=True)
    assert "can&#x27;t be withdrawn" in response.content.decode()
    assert ContentItem.objects.get(pk=item.pk).status == "published"


def test_the_calendar_shows_planned_and_published_items_by_month_and_week(client_for, campaign, contributor, policy):
    planned = item_in("approved", campaign=campaign, author=contributor, reviewer=policy, title="Planned piece")
    published = item_in("published", campaign=campaign, author=contributor, reviewer=policy, title="Out already")
    withdrawn = item_in("withdrawn", campaign=campaign, author=contributor, reviewer=policy, title="Pulled piece")
    client = client_for(policy)
    month = client.get("/campaigns/calendar/", {"month": f"{TODAY:%Y-%m}"}).content.decode()
    assert planned.title in month and published.title in month and withdrawn.title not in month
    year, week, _ = TODAY.isocalendar()
    week_page = client.get("/campaigns/calendar/", {"view": "week", "week": f"{year}-W{week:02d}"})
    assert planned.title in week_page.content.decode()
    assert len(week_page.context["days"]) == 7
    elsewhere = client.get("/campaigns/calendar/", {"month": "2001-01"}).content.decode()
    assert planned.title not in elsewhere


def test_the_calendar_filters_by_campaign_channel_and_language(client_for, campaign, contributor, policy):
    item_in("approved", campaign=campaign, author=contributor, reviewer=policy, title="English post", language="en")
    item_in(
        "approved",
        campaign=campaign,
        author=contributor,
        reviewer=policy,
        title="German clip",
        language="de",
        channel="youtube",
    )
    client = client_for(policy)
    german = client.get("/campaigns/calendar/", {"language": "de"}).content.decode()
    assert "German clip" in german and "English post" not in german
    youtube = client.get("/campaigns/calendar/", {"channel": "youtube"}).content.decode()
    assert "German clip" in youtube and "English post" not in youtube
    other = client.get("/campaigns/calendar/", {"campaign": "no-such-campaign"}).content.decode()
    assert "German clip" not in other


def test_the_calendar_shows_nobody_else_s_campaigns(client_for, campaign, contributor, policy, outsider):
    item_in("approved", campaign=campaign, author=contributor, reviewer=policy, title="Secret plan")
    assert "Secret plan" not in client_for(outsider).get("/campaigns/calendar/").content.decode()


def test_garbage_calendar_parameters_fall_back_to_the_current_period(client_for, policy):
    response = client_for(policy).get("/campaigns/calendar/", {"month": "13-99x", "view": "week", "week": "zz"})
    assert response.status_code == 200


def test_the_context_panel_suppresses_small_counts(client_for, campaign, lead_member):
    body = client_for(lead_member).get(f"/campaigns/{campaign.slug}/").content.decode()
    assert "Context: referrals on the campaign" in body
    assert "&lt; 5" in body


def test_the_home_page_shows_invitations_and_campaigns_by_status(client_for, campaign, invited_member, policy):
    assert campaign.title in client_for(invited_member).get("/").content.decode()
    section = dict(client_for(policy).get("/").context["sections"])["campaigns/home_section.html"]
    assert ("active", "Active", 1) in section["by_status"]
