import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from partners.models import Invitation
from portal.models import Notification
from portal.queueing import enqueue_on_commit
from portal.tasks import purge_read_notifications
from tests.integration.conftest import broker_unreachable, wait_until


def test_the_database_is_postgresql_and_the_broker_redis(settings):
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert not settings.CELERY_TASK_ALWAYS_EAGER


def test_a_task_published_on_commit_is_run_by_the_real_worker_against_postgresql(worker, ngo_member):
    old = Notification.objects.create(user=ngo_member, subject="old", read_at=timezone.now() - timedelta(days=100))
    fresh = Notification.objects.create(user=ngo_member, subject="fresh", read_at=timezone.now())

    with transaction.atomic():
        enqueue_on_commit(purge_read_notifications)

    wait_until(lambda: not Notification.objects.filter(pk=old.pk).exists(), timeout=30)
    assert Notification.objects.filter(pk=fresh.pk).exists()


def test_with_the_broker_down_enqueueing_returns_within_two_seconds_without_raising(transactional_db):
    with broker_unreachable():
        started = time.monotonic()
        with transaction.atomic():
            enqueue_on_commit(purge_read_notifications)
        elapsed = time.monotonic() - started
    assert elapsed < 2


def test_with_the_broker_down_a_request_that_enqueues_still_succeeds(client_for, policy, ngo):
    client = client_for(policy)
    with broker_unreachable():
        started = time.monotonic()
        response = client.post(
            f"/partners/{ngo.slug}/invite/", {"email": f"new@{ngo.email_domains[0]}", "role": "ngo_member"}
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2
    assert Invitation.objects.filter(email=f"new@{ngo.email_domains[0]}").exists()
