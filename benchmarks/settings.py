"""Settings of the processes `make bench` starts: the portal's, plus the benchmark-only URLs
(the bare DRF create the intake figure is compared with)."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
