from celery import shared_task


@shared_task(name="dashboards.tasks.refresh_transparency_rollups", acks_late=True, soft_time_limit=240, time_limit=300)
def refresh_transparency_rollups() -> int:
    """Beat, every minute: recompute the transparency roll-ups of the days writes have marked,
    so the report rarely has to before it reads (runs overlap safely: refreshes take turns)."""
    from dashboards.transparency.rollups import rollups_refresh

    return rollups_refresh()
