"""Demo campaigns (SPEC §11): three fictitious campaigns in different states, built through the
services so that their history, partners and audit trail look like real use.

Idempotent: a campaign whose slug exists is left alone.
"""

import datetime as dt

from django.utils import timezone

from campaigns import services
from campaigns.models import Campaign, ContentItem

WEEK = dt.timedelta(days=7)


def _item(campaign, author, reviewer, *, status, title, body, channel, language, planned_for, url=""):
    item = services.content_item_create(
        by=author,
        campaign=campaign,
        title=title,
        body=body,
        channel=channel,
        language=language,
        planned_for=planned_for,
    )
    if status == "draft":
        return item
    services.content_item_submit(by=author, item=item)
    if status == "in_review":
        return item
    if status == "changes_requested":
        return services.content_item_request_changes(
            by=reviewer, item=item, comment="Please add the helpline number at the end and shorten the intro."
        )
    services.content_item_approve(by=reviewer, item=item, comment="Clear and on-message.")
    if status == "approved":
        return item
    item = services.content_item_publish(by=author, item=item, published_url=url)
    # Demo items went out on their planned day, not the day the demo was seeded.
    ContentItem.objects.filter(pk=item.pk).update(
        published_at=timezone.make_aware(dt.datetime.combine(planned_for, dt.time(10)), dt.UTC)
    )
    return item


def _weekly_metrics(campaign, by, *, start, weeks, base):
    for week in range(weeks):
        period_start = start + week * WEEK
        impressions = base * (week + 2) + 731 * week
        services.metric_report_create(
            by=by,
            campaign=campaign,
            period_start=period_start,
            period_end=min(period_start + dt.timedelta(days=6), campaign.end_date),
            impressions=impressions,
            engagements=impressions // (18 - week % 5),
            shares=impressions // 240,
            clicks=impressions // 95,
        )


def _voices_of_return(policy, peace, civic, ngo, ngo2, today):
    start = today - dt.timedelta(days=35)
    campaign = services.campaign_create(
        by=policy,
        slug="voices-of-return",
        title="Voices of Return",
        summary="People who left violent extremist movements tell, in their own words, what drew them in and what "
        "got them out.",
        start_date=start,
        end_date=today + dt.timedelta(days=40),
        goal="Reduce the pull of recruitment propaganda among young people searching for belonging online.",
        audience="16–24 year olds who follow or comment on extremist-adjacent channels.",
        key_messages="Belonging built on hate doesn't last.\nThere is a way out, and people who will help.",
        messengers="Former members, youth workers, local musicians.",
        channels=["instagram", "youtube", "tiktok"],
        call_to_action="Talk to someone: the Exit helpline, anonymous and free.",
        languages=["en", "de"],
        countries=["GB", "DE"],
        hashtags=["VoicesOfReturn", "WayOut"],
        themes=["terrorist_recruitment", "propaganda", "glorification"],
    )
    lead = services.partner_invite(by=policy, campaign=campaign, organisation=peace, role="lead")
    services.partner_accept(by=ngo, partner=lead)
    contributor = services.partner_invite(by=policy, campaign=campaign, organisation=civic, role="contributor")
    services.partner_accept(by=ngo2, partner=contributor)
    services.campaign_change_status(by=policy, campaign=campaign, status="active")
    _item(
        campaign,
        ngo,
        policy,
        status="published",
        title="Amal's story (short film)",
        body="Three minutes: how an online 'brotherhood' became a cage, and the phone call that opened the door.",
        channel="youtube",
        language="en",
        planned_for=start + dt.timedelta(days=3),
        url="https://video.example.org/watch/amals-story",
    )
    _item(
        campaign,
        ngo2,
        ngo,
        status="published",
        title="Jonas erzählt",
        body="Ein Carousel-Post: fünf Sätze, die Jonas gerne früher gehört hätte.",
        channel="instagram",
        language="de",
        planned_for=start + dt.timedelta(days=12),
        url="https://social.example.org/p/jonas-erzaehlt",
    )
    _item(
        campaign,
        ngo2,
        ngo,
        status="approved",
        title="Fragen an Aussteiger (Live)",
        body="Live-Q&A mit zwei Aussteigern und einer Sozialarbeiterin.",
        channel="instagram",
        language="de",
        planned_for=today + dt.timedelta(days=4),
    )
    _item(
        campaign,
        ngo,
        policy,
        status="in_review",
        title="What they don't tell you",
        body="Duet series answering recruitment clips with lived experience.",
        channel="tiktok",
        language="en",
        planned_for=today + dt.timedelta(days=9),
    )
    _item(
        campaign,
        ngo2,
        ngo,
        status="changes_requested",
        title="Playlist: Wege raus",
        body="Kuratierte Playlist mit Musik von Künstlern, die über ihren Ausstieg singen.",
        channel="youtube",
        language="de",
        planned_for=today + dt.timedelta(days=15),
    )
    _item(
        campaign,
        ngo,
        policy,
        status="draft",
        title="Parents' guide",
        body="Signs to look out for and how to start the conversation.",
        channel="instagram",
        language="en",
        planned_for=today + dt.timedelta(days=21),
    )
    _weekly_metrics(campaign, ngo, start=start, weeks=5, base=5200)
    return campaign


def _open_doors(policy, peace, ngo, today):
    start = today - dt.timedelta(days=150)
    campaign = services.campaign_create(
        by=policy,
        slug="open-doors",
        title="Open Doors",
        summary="Neighbourhood stories answering hateful conduct after a local attack.",
        start_date=start,
        end_date=start + dt.timedelta(days=55),
        goal="Counter calls for revenge with stories of neighbours helping each other.",
        audience="Residents of the affected towns on local community groups.",
        key_messages="Our neighbourhood stands together.",
        messengers="Local faith leaders, shop owners, the football club.",
        channels=["facebook", "instagram"],
        call_to_action="Share a story of a neighbour who helped.",
        languages=["en"],
        countries=["GB"],
        hashtags=["OpenDoors"],
        themes=["hateful_conduct", "violent_threat"],
    )
    lead = services.partner_invite(by=policy, campaign=campaign, organisation=peace, role="lead")
    services.partner_accept(by=ngo, partner=lead)
    services.campaign_change_status(by=policy, campaign=campaign, status="active")
    _item(
        campaign,
        ngo,
        policy,
        status="published",
        title="The baker on Mill Street",
        body="A photo story about the bakery that fed the night shift after the attack.",
        channel="facebook",
        language="en",
        planned_for=start + dt.timedelta(days=5),
        url="https://social.example.org/p/mill-street",
    )
    _item(
        campaign,
        ngo,
        policy,
        status="published",
        title="Open doors, open hearts",
        body="Short reel with residents holding their doors open.",
        channel="instagram",
        language="en",
        planned_for=start + dt.timedelta(days=20),
        url="https://social.example.org/p/open-doors-reel",
    )
    _weekly_metrics(campaign, ngo, start=start, weeks=8, base=3100)
    services.campaign_change_status(by=policy, campaign=campaign, status="completed")
    return campaign


def _hope_over_hate(policy, civic, today):
    campaign = services.campaign_create(
        by=policy,
        slug="hope-over-hate",
        title="Hope Over Hate",
        summary="A spring campaign with schools on spotting and answering violent threats online.",
        start_date=today + dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=90),
        goal="Give pupils words to answer violent threats in their group chats.",
        audience="Secondary school pupils and their teachers.",
        channels=["instagram", "youtube"],
        languages=["de"],
        countries=["DE"],
        hashtags=["HopeOverHate"],
        themes=["violent_threat", "terrorist_threat"],
    )
    services.partner_invite(by=policy, campaign=campaign, organisation=civic, role="lead")
    return campaign


def seed(context: dict) -> dict:
    organisations, users = context["organisations"], context["users"]
    policy = users["policy@demo.test"]
    peace, civic = organisations["peace-voices"], organisations["civic-resilience"]
    ngo, ngo2 = users["ngo@demo.test"], users["ngo2@demo.test"]
    today = timezone.localdate()
    campaigns = {
        c.slug: c for c in Campaign.objects.filter(slug__in=["voices-of-return", "open-doors", "hope-over-hate"])
    }
    if "voices-of-return" not in campaigns:
        campaigns["voices-of-return"] = _voices_of_return(policy, peace, civic, ngo, ngo2, today)
    if "open-doors" not in campaigns:
        campaigns["open-doors"] = _open_doors(policy, peace, ngo, today)
    if "hope-over-hate" not in campaigns:
        campaigns["hope-over-hate"] = _hope_over_hate(policy, civic, today)
    return {"campaigns": campaigns}
