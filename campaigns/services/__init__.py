"""Changes to campaigns, their partners, content items and metric reports, one module each.

Every function checks who acts, locks the row it changes, checks the current state, writes
the change and an audit entry. Status is assigned nowhere else.
"""

from campaigns.services.campaigns import *  # noqa: F403
from campaigns.services.content import *  # noqa: F403
from campaigns.services.metrics import *  # noqa: F403
from campaigns.services.partners import *  # noqa: F403
