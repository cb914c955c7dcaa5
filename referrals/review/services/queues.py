"""Queue leads edit queues (SLA, members) and the routing rules (SPEC §4.2)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.countries import is_country_code
from portal.errors import DomainError, NotAllowed
from referrals.models import Category, Kind, Queue, RoutingRule, Severity
from referrals.review.permissions import can_assign_to, can_manage_routing
from referrals.review.services.routing import FALLBACK_QUEUE

RULE_FIELDS = (
    "order",
    "name",
    "queue",
    "kinds",
    "categories",
    "severities",
    "countries",
    "languages",
    "submitter_kinds",
    "trusted_flagger",
    "priority_boost",
    "enabled",
)
SUBMITTER_KINDS = ("ngo", "law_enforcement", "platform")
CONDITION_FIELDS = ("kinds", "categories", "severities", "countries", "languages", "submitter_kinds")


def _require_lead(by) -> None:
    if not can_manage_routing(by):
        raise NotAllowed(_("Only queue leads manage queues and routing rules."))


@transaction.atomic
def queue_update(*, by, queue: Queue, name: str, description: str, sla_minutes: int, members, request=None) -> Queue:
    _require_lead(by)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the queue a name."), field="name")
    if not 1 <= int(sla_minutes) <= 60 * 24 * 30:
        raise DomainError(_("The SLA must be between 1 minute and 30 days."), field="sla_minutes")
    members = list(members)
    if any(not can_assign_to(m) for m in members):
        raise DomainError(_("Only active reviewers and queue leads can be members."), field="members")
    before = {
        "name": queue.name,
        "sla_minutes": queue.sla_minutes,
        "members": sorted(queue.members.values_list("pk", flat=True)),
    }
    queue.name, queue.description, queue.sla_minutes = name, (description or "").strip(), int(sla_minutes)
    queue.save(update_fields=["name", "description", "sla_minutes"])
    queue.members.set(members)
    after = {"name": queue.name, "sla_minutes": queue.sla_minutes, "members": sorted(m.pk for m in members)}
    audit("queue.update", actor=by, obj=queue, request=request, before=before, after=after)
    return queue


def _clean_list(values, allowed, field: str, *, upper: bool = False, pattern_ok: bool = False) -> list[str]:
    cleaned = []
    for value in values or []:
        value = str(value).strip()
        value = value.upper() if upper else value.lower()
        if not value:
            continue
        if allowed is not None and value not in allowed and not (pattern_ok and value.endswith("*")):
            raise DomainError(
                _("'%(value)s' is not one of: %(allowed)s.") % {"value": value, "allowed": ", ".join(allowed)},
                field=field,
            )
        if allowed is None and (len(value) != 2 or not value.isalpha()):
            raise DomainError(_("'%(value)s' is not a two-letter code.") % {"value": value}, field=field)
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


def _clean_countries(values) -> list[str]:
    codes = _clean_list(values, None, "countries", upper=True)
    for code in codes:
        if not is_country_code(code):
            raise DomainError(
                _("'%(code)s' is not an ISO 3166-1 country code, e.g. DE.") % {"code": code}, field="countries"
            )
    return codes


@transaction.atomic
def rule_save(*, by, rule: RoutingRule | None = None, request=None, **fields) -> RoutingRule:
    """Create a rule (rule=None) or change one; conditions are validated against the enums."""
    _require_lead(by)
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown rule fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    name = (fields.get("name") or "").strip()
    if not name:
        raise DomainError(_("Give the rule a name."), field="name")
    if not isinstance(fields.get("queue"), Queue):
        raise DomainError(_("Choose the queue the rule sends referrals to."), field="queue")
    order = int(fields.get("order") or 0)
    if order < 1:
        raise DomainError(_("The order must be 1 or more."), field="order")
    boost = int(fields.get("priority_boost") or 0)
    if not -100 <= boost <= 100:
        raise DomainError(_("The boost must be between -100 and 100."), field="priority_boost")
    values = {
        "order": order,
        "name": name,
        "queue": fields["queue"],
        "kinds": _clean_list(fields.get("kinds"), Kind.values, "kinds"),
        "categories": _clean_list(fields.get("categories"), Category.values, "categories", pattern_ok=True),
        "severities": _clean_list(fields.get("severities"), Severity.values, "severities"),
        "countries": _clean_countries(fields.get("countries")),
        "languages": _clean_list(fields.get("languages"), None, "languages"),
        "submitter_kinds": _clean_list(fields.get("submitter_kinds"), SUBMITTER_KINDS, "submitter_kinds"),
        "trusted_flagger": fields.get("trusted_flagger"),
        "priority_boost": boost,
        "enabled": bool(fields.get("enabled", True)),
    }
    if rule is not None and rule_is_fallback(rule):
        edited = RoutingRule(**{k: values[k] for k in (*CONDITION_FIELDS, "queue", "trusted_flagger")})
        if not rule_is_fallback(edited):
            raise DomainError(
                _(
                    "'%(name)s' is the fallback rule: it keeps no conditions and sends to "
                    "%(queue)s. Add a rule before it for the referrals you want elsewhere."
                )
                % {"name": rule.name, "queue": rule.queue.name}
            )
    created = rule is None
    rule = rule or RoutingRule()
    for name_, value in values.items():
        setattr(rule, name_, value)
    rule.save()
    logged = {k: (v.slug if isinstance(v, Queue) else v) for k, v in values.items()}
    audit("routing_rule.create" if created else "routing_rule.update", actor=by, obj=rule, request=request, **logged)
    return rule


def rule_is_fallback(rule: RoutingRule) -> bool:
    """The catch-all rule into the fallback queue: the last word of the routing table."""
    catch_all = not any(getattr(rule, name) for name in CONDITION_FIELDS) and rule.trusted_flagger is None
    return catch_all and rule.queue.slug == FALLBACK_QUEUE


def rule_check_deletable(rule: RoutingRule) -> None:
    """Refuse, with the reason, to delete the fallback rule."""
    if rule_is_fallback(rule):
        raise DomainError(
            _(
                "'%(name)s' is the fallback rule: it sends every referral no other rule takes to "
                "%(queue)s, so it cannot be deleted. Add rules before it instead."
            )
            % {"name": rule.name, "queue": rule.queue.name}
        )


@transaction.atomic
def rule_delete(*, by, rule: RoutingRule, request=None) -> None:
    _require_lead(by)
    rule_check_deletable(rule)
    audit("routing_rule.delete", actor=by, obj=rule, request=request, name=rule.name, order=rule.order)
    rule.delete()
