"""Declaring and closing incidents (SPEC §18).

Declaring one (policy staff and queue leads) creates its surge queue `incident-<slug>`, whose
members are every active queue lead (leads add others on the queue's page), with an SLA set by
the level: 60 minutes for level 1, 120 for level 2, 240 for level 3 (`SLA_MINUTES`; an
imminent referral keeps its 60-minute clock whatever the queue). From then on routing sends the
referrals matching the incident's URLs, their accounts or its keywords to that queue.

Closing it ends the surge: routing reads active incidents only, so nothing new matches; the
queue keeps the referrals already in it, which are still worked, and the counts stay for the
after-action report (`referrals.crisis.selectors.incident_report`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.text import free_text_clean
from referrals.choices import IncidentLevel
from referrals.crisis.permissions import can_declare_incidents
from referrals.crisis.selectors import incident_counts
from referrals.engine import normalise
from referrals.intake.services.filing import subjects_for
from referrals.models import Incident, IncidentStatus, Queue
from referrals.review.services.deadlines import queue_leads
from referrals.services.labels import engine_text

TITLE_MIN, TITLE_MAX = 3, 200
SUMMARY_MIN, SUMMARY_MAX = 20, 5000
KEYWORDS_MAX, KEYWORD_MAX_LENGTH = 50, 100
URLS_MAX = 100
# The surge queue's SLA by level: the gravest incidents are worked within the hour.
SLA_MINUTES = {IncidentLevel.ONE: 60, IncidentLevel.TWO: 120, IncidentLevel.THREE: 240}
QUEUE_PREFIX = "incident-"
QUEUE_NAME_MAX = 120  # Queue.name
SLUG_MAX = 50  # Incident.slug; the queue's slug adds the prefix (Queue.slug holds 60)
# `/incidents/new/` is the form: no incident may be called that.
RESERVED_SLUGS = frozenset({"new"})
NON_FIELD = "non_field_errors"


class IncidentInvalid(DomainError):
    """Field errors `{field: [messages]}`: every problem of a declaration at once."""

    def __init__(self, errors: dict):
        super().__init__(_("The incident could not be declared; see the errors by field."))
        self.errors = errors


@dataclass(frozen=True)
class IncidentCleaned:
    """A declaration as it would be stored: what the confirmation step shows."""

    title: str
    summary: str
    level: int
    keywords: list[str]
    urls: list[str]
    targets: list[dict]

    @property
    def sla_minutes(self) -> int:
        return SLA_MINUTES[self.level]


def incident_path(incident: Incident) -> str:
    return f"/incidents/{incident.slug}/"


# --- Checking a declaration ------------------------------------------------------------------------


def _length_message(count: int, low: int, high: int) -> str:
    return ngettext(
        "Write between %(min)d and %(max)d characters; this has %(count)d.",
        "Write between %(min)d and %(max)d characters; this has %(count)d.",
        count,
    ) % {"min": low, "max": high, "count": count}


def _text(value, *, field: str, low: int, high: int, errors: dict) -> str:
    if value is not None and not isinstance(value, str):
        errors[field] = [_("Must be text.")]
        return ""
    try:
        # A generous limit here: the range below says how long it may be.
        text = free_text_clean(value, field=field, limit=max(high, len(value or "")))
    except DomainError as exc:
        errors[field] = [exc.message]
        return ""
    if not low <= len(text) <= high:
        errors[field] = [_length_message(len(text), low, high)]
    return text


def _level(value, errors: dict) -> int:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value not in IncidentLevel.values:
        errors["level"] = [_("Choose level 1, 2 or 3.")]
        return 0
    return value


def _item_name(n: int, value) -> str:
    shown = value if isinstance(value, str) else repr(value)
    shown = shown if len(shown) <= 60 else shown[:59] + "…"
    return _("Item %(n)d (“%(value)s”)") % {"n": n, "value": shown}


def _list(value, *, field: str, most: int, errors: dict) -> list | None:
    """`value` as a list (None and "" as none), or None with the error on `field`."""
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        errors[field] = [_("Must be a list.")]
        return None
    if len(value) > most:
        errors[field] = [
            ngettext("At most %(max)d item; this has %(count)d.", "At most %(max)d items; this has %(count)d.", most)
            % {"max": most, "count": len(value)}
        ]
        return None
    return list(value)


def _keywords(value, errors: dict) -> list[str]:
    """Trimmed, without format characters, each kept once (the first spelling of those that
    differ only in case: matching ignores case)."""
    items = _list(value, field="keywords", most=KEYWORDS_MAX, errors=errors)
    if items is None:
        return []
    kept: dict[str, str] = {}
    problems = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, str):
            problems.append(_("%(item)s: must be text.") % {"item": _item_name(n, item)})
            continue
        try:
            word = free_text_clean(item, field="keywords", limit=KEYWORD_MAX_LENGTH)
        except DomainError as exc:
            problems.append(f"{_item_name(n, item)}: {exc.message}")
            continue
        if not word:
            problems.append(_("Item %(n)d is empty.") % {"n": n})
            continue
        kept.setdefault(word.casefold(), word)
    if problems:
        errors["keywords"] = problems
    return list(kept.values())


def _urls(value, errors: dict) -> tuple[list[str], list[dict]]:
    """The URLs as given (trimmed) and normalised as a referral's targets are; a URL naming
    the same account or post as an earlier one (`twitter.com` and `x.com`) is kept once."""
    items = _list(value, field="urls", most=URLS_MAX, errors=errors)
    if items is None:
        return [], []
    urls: list[str] = []
    targets: dict[str, dict] = {}
    problems = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, str) or not item.strip():
            problems.append(_("%(item)s: must be an http:// or https:// URL.") % {"item": _item_name(n, item)})
            continue
        try:
            target = normalise.normalise_target({"url": item.strip()})
        except normalise.TargetError as exc:
            problems.append(f"{_item_name(n, item.strip())}: {engine_text(exc.args[0])}")
            continue
        key = f"{target.platform} {target.account} {target.content_id}"
        if key in targets:
            continue
        urls.append(item.strip())
        targets[key] = {
            "url": target.url,
            "platform": target.platform,
            "account": target.account,
            "content_id": target.content_id,
        }
    if problems:
        errors["urls"] = problems
    return urls, list(targets.values())


def incident_clean(*, title, summary, level, keywords: Sequence = (), urls: Sequence = ()) -> IncidentCleaned:
    """A declaration checked and normalised, storing nothing; IncidentInvalid with every problem."""
    errors: dict = {}
    cleaned_title = _text(title, field="title", low=TITLE_MIN, high=TITLE_MAX, errors=errors)
    cleaned_summary = _text(summary, field="summary", low=SUMMARY_MIN, high=SUMMARY_MAX, errors=errors)
    cleaned_level = _level(level, errors)
    words = _keywords(keywords, errors)
    given, targets = _urls(urls, errors)
    if not words and not targets and "keywords" not in errors and "urls" not in errors:
        errors[NON_FIELD] = [_("Give at least one keyword or URL: they are what routing matches referrals against.")]
    if errors:
        raise IncidentInvalid(errors)
    return IncidentCleaned(cleaned_title, cleaned_summary, cleaned_level, words, given, targets)


def incident_slug_for(title: str) -> str:
    """A slug no incident (nor incident queue) has: the slugified title, `-2`, `-3`, … on a clash."""
    base = slugify(title)[: SLUG_MAX - 4].strip("-") or "incident"
    if base in RESERVED_SLUGS:
        base = f"{base}-incident"
    slug, n = base, 2
    while Incident.objects.filter(slug=slug).exists() or Queue.objects.filter(slug=f"{QUEUE_PREFIX}{slug}").exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _queue_name(title: str) -> str:
    name = f"Incident: {title}"
    return name if len(name) <= QUEUE_NAME_MAX else name[: QUEUE_NAME_MAX - 1] + "…"


# --- Transitions ------------------------------------------------------------------------------------


@transaction.atomic
def incident_declare(*, by, title, summary, level, keywords=(), urls=(), request=None) -> Incident:
    """Declare an incident: policy staff and queue leads only (NotAllowed otherwise). Every
    field is checked and every problem reported at once (IncidentInvalid); nothing is stored
    then. Creates the incident's queue with the queue leads as members, and the subjects of the
    accounts its URLs name (found or created as intake does)."""
    if not can_declare_incidents(by):
        raise NotAllowed(_("Only policy staff and queue leads declare incidents."))
    cleaned = incident_clean(title=title, summary=summary, level=level, keywords=keywords, urls=urls)
    slug = incident_slug_for(cleaned.title)
    queue = Queue.objects.create(
        slug=f"{QUEUE_PREFIX}{slug}",
        name=_queue_name(cleaned.title),
        description="The surge queue of an incident: referrals matching it while it is active.",
        sla_minutes=cleaned.sla_minutes,
    )
    queue.members.set(queue_leads())
    incident = Incident.objects.create(
        slug=slug,
        title=cleaned.title,
        summary=cleaned.summary,
        level=cleaned.level,
        keywords=cleaned.keywords,
        urls=cleaned.urls,
        targets=cleaned.targets,
        queue=queue,
        declared_by=by,
        declared_at=timezone.now(),
    )
    keys = {(t["platform"], t["account"]) for t in cleaned.targets if t["account"]}
    if keys:
        incident.subjects.set(subjects_for(keys).values())
    audit(
        "incident.declare",
        actor=by,
        obj=incident,
        request=request,
        slug=slug,
        level=cleaned.level,
        queue=queue.slug,
        keywords=len(cleaned.keywords),
        urls=len(cleaned.urls),
    )
    return incident


@transaction.atomic
def incident_close(*, by, incident: Incident, request=None) -> Incident:
    """Close an active incident: policy staff and queue leads (NotAllowed otherwise); a closed
    one cannot be closed again (TransitionError). Its queue and the referrals in it stay."""
    if not can_declare_incidents(by):
        raise NotAllowed(_("Only policy staff and queue leads close incidents."))
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.status != IncidentStatus.ACTIVE:
        raise TransitionError(_("This incident is already closed."))
    locked.status = IncidentStatus.CLOSED
    locked.closed_by = by
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_by", "closed_at"])
    audit("incident.close", actor=by, obj=locked, request=request, slug=locked.slug, **incident_counts(locked))
    return locked
