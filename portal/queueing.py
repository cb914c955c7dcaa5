"""Publishing tasks so that a broker outage never fails or hangs a request.

The database is the source of truth: whatever a task would do is also found later by a beat
sweeper, so a message that could not be published is logged and dropped, not raised.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs) -> bool:
    """Publish `task` now; return False (and log) instead of raising when that fails."""
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:
        logger.exception("Could not enqueue %s; the sweeper will pick the work up", task.name)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Publish `task` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
