"""Publishing tasks so that a broker outage never fails or hangs a request.

The database is the source of truth: whatever a task would do is also found later by a beat
sweeper, so a message that could not be published is logged and dropped, not raised.

Services name the task they enqueue ("referrals.tasks.route_referrals") instead of importing
it: tasks import services, so a service importing its task would be an import cycle.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def task_named(name: str):
    """The registered Celery task called `name`, importing the apps' task modules if needed."""
    from portal.celery import app

    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]


def enqueue(task, *args, **kwargs) -> bool:
    """Publish `task` (a task or its name) now; return False (and log) instead of raising."""
    try:
        if isinstance(task, str):
            task = task_named(task)
        task.apply_async(args=args, kwargs=kwargs)
    except Exception:
        logger.exception("Could not enqueue %s; the sweeper will pick the work up", getattr(task, "name", task))
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Publish `task` (a task or its name) once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs))
