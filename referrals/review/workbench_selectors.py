"""Reads for the workbench's templates and bulk decisions (SPEC §15), scoped to the acting user:
platform roles only, everyone else gets nothing (pages and the API answer 404)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from referrals.models import DecisionTemplate, Referral, Subject, Target
from referrals.review.permissions import can_see_queues
from referrals.review.selectors import SUBJECT_LIST_SIZE, WORKLIST_ORDER, WORKLIST_STATUSES

# The most referrals one bulk decision takes (SPEC §15).
BULK_MAX = 500


def templates_visible_to(user) -> QuerySet[DecisionTemplate]:
    if not can_see_queues(user):
        return DecisionTemplate.objects.none()
    return DecisionTemplate.objects.order_by("name", "language", "pk")


def templates_for(user, *, referral: Referral | None = None, requests_for_information: bool = False):
    """The decision templates (or, with `requests_for_information`, the RFI templates) offered
    for `referral`: those in its language or in none, for its kind or for every kind. Without
    a referral (a bulk decision), every decision template. One query."""
    templates = templates_visible_to(user)
    templates = templates.filter(action="") if requests_for_information else templates.exclude(action="")
    if referral is None:
        return list(templates)
    # `kinds` is a JSON list and SQLite has no JSON containment: a handful of rows, filtered here.
    rows = templates.filter(Q(language="") | Q(language=referral.language))
    return [t for t in rows if not t.kinds or referral.kind in t.kinds]


def _with_targets(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.select_related("queue", "organisation", "assignee").prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("position"))
    )


def bulk_referrals(user, ids: Iterable) -> dict:
    """The referrals of `ids` that `user` may see, by id, with their queue and targets (two
    queries for any number). Unknown ids are simply absent."""
    if not can_see_queues(user):
        return {}
    ids = list(ids)
    if not ids:
        return {}
    return {r.id: r for r in _with_targets(Referral.objects.filter(id__in=ids))}


def subject_open_referrals(user, subject: Subject) -> list[Referral]:
    """The open referrals naming `subject` or one of its first SUBJECT_LIST_SIZE linked accounts
    (the ones its page lists), most urgent first, at most SUBJECT_LIST_SIZE: what the subject
    page offers to decide at once (a hyper account's thousands are worked from the work list;
    listing 500 cost its page 0.8 s at a million referrals). Three queries."""
    if not can_see_queues(user):
        return []
    linked = subject.linked.order_by("id").values_list("id", flat=True)[:SUBJECT_LIST_SIZE]
    subjects = [subject.pk, *linked]
    named = Target.objects.filter(subject_id__in=subjects).values("referral_id")
    referrals = Referral.objects.filter(seq__in=named, status__in=WORKLIST_STATUSES).order_by(*WORKLIST_ORDER)
    return list(_with_targets(referrals)[:SUBJECT_LIST_SIZE])
