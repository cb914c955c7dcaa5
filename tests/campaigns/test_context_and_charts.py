import datetime as dt

from django.utils import timezone

from campaigns.charts import metric_charts
from campaigns.selectors import referral_context
from portal.charts import Datum, line_svg
from referrals.models import Referral
from tests.campaigns.conftest import START, make_campaign


def _referrals(organisation, n, *, day, category="propaganda", country="GB"):
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(12)), dt.UTC)
    Referral.objects.bulk_create(
        [
            Referral(
                kind="notice",
                category=category,
                severity="medium",
                explanation="x" * 30,
                organisation=organisation,
                received_at=at,
                country=country,
            )
            for _ in range(n)
        ]
    )


def test_the_context_compares_the_campaign_with_the_same_span_before(policy, ngo):
    campaign = make_campaign(policy, themes=["propaganda", "terrorist_recruitment"], countries=["GB"])
    today = START + dt.timedelta(days=9)  # ten days under way
    _referrals(ngo, 12, day=START + dt.timedelta(days=2))
    _referrals(ngo, 3, day=START + dt.timedelta(days=3), category="terrorist_recruitment")
    _referrals(ngo, 6, day=START - dt.timedelta(days=10))  # first day of the span before
    _referrals(ngo, 9, day=START - dt.timedelta(days=11))  # before that span: not counted
    _referrals(ngo, 9, day=START + dt.timedelta(days=2), country="FR")  # another country
    _referrals(ngo, 9, day=START + dt.timedelta(days=2), category="hateful_conduct")  # another theme
    context = referral_context(campaign, today=today)
    assert context["days"] == 10
    rows = {r.label: r for r in context["rows"]}
    propaganda = rows["Propaganda of a terrorist organisation"]
    assert (propaganda.during, propaganda.before, propaganda.change) == ("12", "6", "+100 %")
    recruitment = rows["Terrorist recruitment"]
    assert (recruitment.during, recruitment.before, recruitment.change) == ("< 5", "< 5", "—")
    assert (context["total"].during, context["total"].before) == ("15", "6")


def test_the_context_waits_for_the_campaign_to_start(policy):
    campaign = make_campaign(policy)
    assert referral_context(campaign, today=START - dt.timedelta(days=1))["available"] is False


def test_a_chart_has_a_title_a_description_and_a_titled_point_per_value():
    svg = str(
        line_svg(
            [Datum("2026-03-02", 1234), Datum("2026-03-09", None), Datum("2026-03-16", 99)],
            chart_id="c",
            title="Impressions <all>",
            description="Per week",
            point_title="impressions",
        )
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="c-title">Impressions &lt;all&gt;</title>' in svg
    assert '<desc id="c-desc">Per week</desc>' in svg
    assert "<title>2026-03-02: 1,234 impressions</title>" in svg
    assert svg.count("<circle") == 2


def test_an_empty_chart_says_so():
    (impressions, _, rate) = metric_charts([])
    assert "No data yet" in impressions["svg"]
    assert rate["title"] == "Engagement rate"
