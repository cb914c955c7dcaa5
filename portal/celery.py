"""The Celery app. Settings are the CELERY_* names in portal.settings."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = (Queue("routing"), Queue("notifications"), Queue("default"))
app.autodiscover_tasks()
