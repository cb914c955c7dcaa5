"""The leads' insights on PostgreSQL (SPEC §15): the median by percentile_cont, the hour buckets
and the conditional counts give the same hand-computed figures as on SQLite, and the page
and API say them in the same number of queries."""

import pytest
from django.db import connection

from referrals.models import Queue
from referrals.review import insights
from tests.referrals.workbench import insights_data as data
from tests.referrals.workbench.test_insights_api import *  # noqa: F403 - the API's tests, on PostgreSQL
from tests.referrals.workbench.test_insights_figures import *  # noqa: F403 - the figures' tests, on PostgreSQL

pytestmark = pytest.mark.django_db


def test_the_median_is_postgresql_s_percentile_cont(ngo_member, platform):
    assert connection.vendor == "postgresql"
    data.build(ngo_member, platform)

    medians = insights._medians(insights.Period(data.START, data.END))

    queue_ids = dict(Queue.objects.values_list("slug", "pk"))
    assert medians[queue_ids["trusted-flaggers"]] == pytest.approx(97.5)
    assert medians[queue_ids["general"]] == pytest.approx(40.0)
