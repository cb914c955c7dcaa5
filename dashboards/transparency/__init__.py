"""The public transparency report: periods, figures and their downloads (SPEC §8)."""

from dashboards.transparency.figures import SUPPRESSED, compute_figures, public_figures, transparency_figures
from dashboards.transparency.periods import Period, PeriodError, named_period, period_from_params, quarter_of

__all__ = [
    "SUPPRESSED",
    "Period",
    "PeriodError",
    "compute_figures",
    "named_period",
    "period_from_params",
    "public_figures",
    "quarter_of",
    "transparency_figures",
]
