"""Publishing tasks so that a broker outage never fails or hangs a request.

The database is the source of truth: whatever a task would do is also found later by a beat
sweeper, so a message that could not be published is logged and dropped, not raised.

Services name the task they enqueue ("referrals.tasks.route_referrals") instead of importing
it: tasks import services, so a service importing its task would be an import cycle.
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connections, transaction

logger = logging.getLogger(__name__)
# The apps' task modules are imported on the first publish; a web process's threads wait for
# one import rather than find the registry half filled (NotRegistered, seen under load).
_tasks_imported = threading.Lock()


def task_named(name: str):
    """The registered Celery task called `name`, importing the apps' task modules if needed."""
    from portal.celery import app

    if name not in app.tasks:
        with _tasks_imported:
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


def enqueue_on_commit(task, *args, background: bool = False, **kwargs) -> None:
    """Publish `task` (a task or its name) once the current transaction commits (at once outside one).

    `background`: a long job. Without a broker and with PORTAL_BACKGROUND_IN_PROCESS on, it
    runs in a thread of this process instead of inside the request, so it can be watched.
    """
    if background and settings.PORTAL_BACKGROUND_IN_PROCESS:
        transaction.on_commit(lambda: run_in_thread(task, *args, **kwargs))
    else:
        transaction.on_commit(lambda: enqueue(task, *args, **kwargs))


def run_in_thread(task, *args, **kwargs) -> threading.Thread:
    """Run `task` eagerly in a daemon thread with its own database connection."""

    def work():
        close_old_connections()
        try:
            (task_named(task) if isinstance(task, str) else task).apply(args=args, kwargs=kwargs)
        except Exception:
            logger.exception("In-process background task %s failed", task)
        finally:
            connections.close_all()

    thread = threading.Thread(target=work, daemon=True, name=f"task:{task}")
    thread.start()
    return thread
