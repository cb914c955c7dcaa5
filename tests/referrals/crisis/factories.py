"""Incidents in the states the crisis tests start from (SPEC §18).

`incident()` writes an active incident the way declaring one leaves it: its own queue
`incident-<slug>`, its URLs normalised like a referral's targets, and the subjects of their
accounts (found or created as intake finds or creates them).
"""

from __future__ import annotations

import itertools

from django.utils import timezone
from django.utils.text import slugify

from referrals.engine import normalise
from referrals.intake.services.filing import subjects_for
from referrals.models import Incident, IncidentStatus, Queue

_numbers = itertools.count(1)


def incident_targets(urls) -> list[dict]:
    """`urls` normalised as `Incident.targets` keeps them: [{url, platform, account, content_id}]."""
    targets = []
    for url in urls:
        t = normalise.normalise_target({"url": url})
        targets.append({"url": t.url, "platform": t.platform, "account": t.account, "content_id": t.content_id})
    return targets


def incident(
    *,
    title: str | None = None,
    slug: str | None = None,
    level: int = 1,
    keywords=(),
    urls=(),
    status: str = IncidentStatus.ACTIVE,
    sla_minutes: int = 60,
    **fields,
) -> Incident:
    """An incident (active unless `status` says otherwise) with its queue and subjects;
    `fields` set any other column (summary, declared_by, declared_at, closed_at, …)."""
    number = next(_numbers)
    title = title or f"Incident {number}"
    slug = slug or f"{slugify(title)[:40]}-{number}"
    queue = Queue.objects.create(slug=f"incident-{slug}", name=f"Incident: {title}", sla_minutes=sla_minutes)
    targets = incident_targets(urls)
    fields.setdefault("summary", "An attack was streamed online and its recording is spreading.")
    if status == IncidentStatus.CLOSED:
        fields.setdefault("closed_at", timezone.now())
    created = Incident.objects.create(
        slug=slug,
        title=title,
        level=level,
        keywords=list(keywords),
        urls=list(urls),
        targets=targets,
        status=status,
        queue=queue,
        **fields,
    )
    keys = {(t["platform"], t["account"]) for t in targets if t["account"]}
    if keys:
        created.subjects.set(subjects_for(keys).values())
    return created
