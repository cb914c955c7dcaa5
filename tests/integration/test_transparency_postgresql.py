"""The transparency figures again, on PostgreSQL, where percentiles are computed in SQL."""

from tests.dashboards.test_transparency_figures import *  # noqa: F403
