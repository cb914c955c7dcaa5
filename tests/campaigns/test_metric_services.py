import datetime as dt

import pytest

from campaigns import services
from campaigns.models import MetricReport
from campaigns.selectors import metric_series, metric_totals
from portal.errors import DomainError, NotAllowed, TransitionError
from tests.campaigns.conftest import END, START, campaign_in, item_in

HEADER = "period_start,period_end,impressions,engagements,shares,clicks,content_item\n"


def _report(campaign, by, **extra):
    fields = dict(
        period_start=START,
        period_end=START + dt.timedelta(days=6),
        impressions=1000,
        engagements=50,
        shares=5,
        clicks=7,
    )
    fields.update(extra)
    return services.metric_report_create(by=by, campaign=campaign, **fields)


def test_partners_and_policy_staff_report_metrics(campaign, contributor, lead_member, policy):
    for person in (contributor, lead_member, policy):
        _report(campaign, person)
    assert MetricReport.objects.count() == 3
    assert metric_totals(MetricReport.objects.all())["impressions"] == 3000


@pytest.mark.parametrize("persona", ["invited_member", "outsider", "liaison", "reviewer"])
def test_others_do_not_report_metrics(request, campaign, persona):
    with pytest.raises(NotAllowed):
        _report(campaign, request.getfixturevalue(persona))


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"period_start": START - dt.timedelta(days=1)}, "period_start"),
        ({"period_end": END + dt.timedelta(days=1)}, "period_end"),
        ({"period_end": START - dt.timedelta(days=1)}, "period_end"),
        ({"impressions": -1}, "impressions"),
        ({"clicks": -5}, "clicks"),
    ],
)
def test_bad_reports_are_refused_with_the_field(campaign, contributor, fields, bad_field):
    with pytest.raises(DomainError) as exc:
        _report(campaign, contributor, **fields)
    assert exc.value.field == bad_field
    assert not MetricReport.objects.exists()


def test_a_report_may_name_a_content_item_of_the_campaign(campaign, contributor, policy):
    item = item_in("published", campaign=campaign, author=contributor, reviewer=policy)
    report = _report(campaign, contributor, content_item=item.pk)
    assert report.content_item == item


def test_a_report_cannot_name_an_item_of_another_campaign(campaign, contributor, policy, ngo, ngo_member):
    other = campaign_in("active", policy=policy, lead_org=ngo, lead_user=ngo_member)
    item = item_in("approved", campaign=other, author=ngo_member, reviewer=policy)
    with pytest.raises(DomainError) as exc:
        _report(campaign, contributor, content_item=item.pk)
    assert exc.value.field == "content_item"


def test_an_archived_campaign_takes_no_metrics(policy, ngo, ngo_member):
    campaign = campaign_in("archived", policy=policy, lead_org=ngo, lead_user=ngo_member)
    with pytest.raises(TransitionError):
        _report(campaign, policy)


def test_a_good_csv_is_imported_whole(campaign, contributor, policy):
    item = item_in("published", campaign=campaign, author=contributor, reviewer=policy)
    csv = HEADER + f"{START},{START + dt.timedelta(days=6)},1000,40,3,9,\n{START},{START},500,10,1,2,{item.pk}\n"
    reports = services.metric_reports_import_csv(by=contributor, campaign=campaign, raw=csv.encode())
    assert len(reports) == 2
    assert MetricReport.objects.filter(content_item=item).count() == 1
    series = metric_series(MetricReport.objects.all())
    assert series == [
        {
            "date": START,
            "impressions": 1500,
            "engagements": 50,
            "shares": 4,
            "clicks": 11,
            "engagement_rate": 3.33,
        }
    ]


def test_a_csv_with_any_bad_row_stores_nothing_and_names_every_bad_row(campaign, contributor):
    csv = (
        HEADER
        + f"{START},{START},1000,40,3,9,\n"  # good
        + f"{START},{START},-3,40,3,9,\n"  # negative
        + f"{START - dt.timedelta(days=3)},{START},10,1,1,1,\n"  # starts before the campaign
        + f"{START},{END + dt.timedelta(days=1)},10,1,1,1,\n"  # ends after it
        + f"{START},2026-02-30,ten,1,1,1,not-an-id\n"  # not a date, not a number, not an id
    )
    with pytest.raises(services.MetricImportError) as exc:
        services.metric_reports_import_csv(by=contributor, campaign=campaign, raw=csv.encode())
    rows = dict(exc.value.rows)
    assert sorted(rows) == [3, 4, 5, 6]
    assert rows[3] == {"impressions": "Must not be negative."}
    assert set(rows[4]) == {"period_start"}
    assert set(rows[5]) == {"period_end"}
    assert set(rows[6]) == {"period_end", "impressions", "content_item"}
    assert not MetricReport.objects.exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"start,end\n1,2\n", "header"),
        (HEADER.encode(), "no data rows"),
        (b"\xff\xfe\x00bad", "UTF-8"),
    ],
)
def test_an_unreadable_csv_is_refused_as_a_whole(campaign, contributor, raw, message):
    with pytest.raises(services.MetricImportError, match=message):
        services.metric_reports_import_csv(by=contributor, campaign=campaign, raw=raw)
    assert not MetricReport.objects.exists()
