"""Decision and request-for-information templates (SPEC §15): queue leads write them, a
reviewer applies one with a single choice.

A template's text may hold the placeholders {account}, {platform}, {reference} and {policy},
filled for each referral; any other braces are left as they are, so a template can never
make a decision fail by its formatting.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.errors import DomainError, NotAllowed
from portal.text import free_text_clean
from referrals.models import Action, Decision, DecisionTemplate, Ground, Kind, Referral
from referrals.review.permissions import can_manage_templates
from referrals.review.services.claims import MESSAGE_MAX, referral_request_info
from referrals.review.services.decisions import ACTION_ONLY_FOR, STATEMENT_MAX, referral_decide
from referrals.services.codes import LANGUAGES

TEMPLATE_FIELDS = ("name", "language", "kinds", "action", "ground", "policy", "statement_of_reasons")
# The decision fields a template gives; explicit values of the caller win over them.
DECISION_FIELDS = ("action", "ground", "policy", "statement_of_reasons")
PLACEHOLDER = re.compile(r"\{(account|platform|reference|policy)\}")


# --- Filling in -------------------------------------------------------------------------------


def _first_target(referral: Referral):
    # The targets are usually prefetched in position order (the scoped selectors do).
    cache = getattr(referral, "_prefetched_objects_cache", {})
    targets = cache["targets"] if "targets" in cache else referral.targets.order_by("position")[:1]
    return next(iter(targets), None)


def template_fill(text: str, *, referral: Referral, policy: str = "") -> str:
    """`text` with the placeholders filled for `referral`: its first target's account (else
    its URL) and platform, its reference, and `policy`. Unknown braces stay as written."""
    if "{" not in (text or ""):
        return text or ""
    target = _first_target(referral)
    values = {
        "account": (target.account or target.url) if target else "",
        "platform": target.platform if target else "",
        "reference": referral.reference,
        "policy": policy or "",
    }
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def template_offered_for(template: DecisionTemplate, referral: Referral) -> bool:
    """Whether `template` answers `referral`'s kind (kinds empty: every kind) and its
    outcome is one the kind may have. Language is the form's preference, not a rule."""
    if template.kinds and referral.kind not in template.kinds:
        return False
    return not template.action or ACTION_ONLY_FOR.get(template.action, referral.kind) == referral.kind


def decision_data_resolve(*, referral: Referral, template: DecisionTemplate | None = None, **data) -> dict:
    """The decision fields for `referral_decide`: `data`, with what it leaves empty taken
    from `template` (explicit fields win), and the statement's placeholders filled.

    Raises DomainError (field `template`) when the template is for requests for information
    or for another kind of referral."""
    data = dict(data)
    if template is not None:
        if template.is_request_for_information:
            raise DomainError(_("This template is for requests for information, not decisions."), field="template")
        if not template_offered_for(template, referral):
            raise DomainError(
                _("The template '%(name)s' is not for a %(kind)s.")
                % {"name": template.name, "kind": referral.get_kind_display().lower()},
                field="template",
            )
        for name in DECISION_FIELDS:
            if data.get(name) in (None, ""):
                data[name] = getattr(template, name)
    for name in DECISION_FIELDS:
        data.setdefault(name, "")
    data["statement_of_reasons"] = template_fill(
        data["statement_of_reasons"] or "", referral=referral, policy=data["policy"] or ""
    )
    return data


def request_info_message(*, referral: Referral, message: str = "", template: DecisionTemplate | None = None) -> str:
    """The question for the submitter: `message` if written, else the RFI template's text,
    filled for `referral`."""
    if template is not None and not template.is_request_for_information:
        raise DomainError(_("This template is for decisions, not requests for information."), field="template")
    if template is not None and not template_offered_for(template, referral):
        raise DomainError(
            _("The template '%(name)s' is not for a %(kind)s.")
            % {"name": template.name, "kind": referral.get_kind_display().lower()},
            field="template",
        )
    text = (message or "").strip() or (template.statement_of_reasons if template else "")
    return template_fill(text, referral=referral)


def referral_decide_with_template(
    *, by, referral: Referral, template: DecisionTemplate | None = None, request=None, now=None, **data
) -> Decision:
    """`referral_decide` with the fields `data` leaves empty taken from `template`, and the
    statement's placeholders filled for `referral`."""
    fields = decision_data_resolve(referral=referral, template=template, **data)
    return referral_decide(by=by, referral=referral, request=request, now=now, **fields)


def referral_request_info_with_template(
    *, by, referral: Referral, message: str = "", template: DecisionTemplate | None = None, request=None
) -> Referral:
    """`referral_request_info` with the question taken from an RFI template when none is written."""
    text = request_info_message(referral=referral, message=message, template=template)
    return referral_request_info(by=by, referral=referral, message=text, request=request)


# --- Leads write templates ---------------------------------------------------------------------


def _require_lead(by) -> None:
    if not can_manage_templates(by):
        raise NotAllowed(_("Only queue leads manage templates."))


def _text(value, field: str, *, limit: int, required: bool = False) -> str:
    return free_text_clean(value, field=field, limit=limit, empty=_("This field is required.") if required else None)


def _clean(values: dict) -> dict:
    name = _text(values.get("name"), "name", limit=120, required=True)
    language = str(values.get("language") or "").strip().lower()
    if language and language not in LANGUAGES:
        raise DomainError(_("Use a two-letter ISO 639-1 language code, e.g. “en” or “ar”."), field="language")
    kinds = []
    for kind in values.get("kinds") or []:
        if kind not in Kind.values:
            raise DomainError(
                _("'%(value)s' is not one of: %(allowed)s.") % {"value": kind, "allowed": ", ".join(Kind.values)},
                field="kinds",
            )
        if kind not in kinds:
            kinds.append(kind)
    action = values.get("action") or ""
    if action and action not in Action.values:
        raise DomainError(_("Choose one of: %(values)s.") % {"values": ", ".join(Action.values)}, field="action")
    ground = values.get("ground") or ""
    if ground and ground not in Ground.values:
        raise DomainError(_("Choose one of: %(values)s.") % {"values": ", ".join(Ground.values)}, field="ground")
    if action in ACTION_ONLY_FOR and kinds != [ACTION_ONLY_FOR[action]]:
        raise DomainError(
            _("%(action)s answers only a %(kind)s: choose that kind alone.")
            % {"action": Action(action).label, "kind": Kind(ACTION_ONLY_FOR[action]).label.lower()},
            field="kinds",
        )
    # A request for information is a question: it has no outcome, ground or provision.
    rfi = not action
    return {
        "name": name,
        "language": language,
        "kinds": kinds,
        "action": action,
        "ground": "" if rfi else ground,
        "policy": "" if rfi else _text(values.get("policy"), "policy", limit=300),
        "statement_of_reasons": _text(
            values.get("statement_of_reasons"),
            "statement_of_reasons",
            limit=MESSAGE_MAX if rfi else STATEMENT_MAX,
            required=True,
        ),
    }


def _save(template: DecisionTemplate, values: dict) -> None:
    for name, value in values.items():
        setattr(template, name, value)
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise DomainError(_("A template of that name already exists in that language."), field="name") from None


def _logged(template: DecisionTemplate) -> dict:
    # `outcome`, not `action`: the audit entry's own `action` is "template.create" and the like.
    logged = {name: getattr(template, name) for name in TEMPLATE_FIELDS if name != "statement_of_reasons"}
    logged["outcome"] = logged.pop("action")
    return logged


@transaction.atomic
def template_create(*, by, request=None, **fields) -> DecisionTemplate:
    """A new template; `fields` are TEMPLATE_FIELDS (an empty `action`: a request for information)."""
    _require_lead(by)
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown template fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    template = DecisionTemplate(created_by=by)
    _save(template, _clean(fields))
    audit("template.create", actor=by, obj=template, request=request, **_logged(template))
    return template


@transaction.atomic
def template_update(*, by, template: DecisionTemplate, request=None, **fields) -> DecisionTemplate:
    """Change the given fields of `template` (the others keep their values)."""
    _require_lead(by)
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown template fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    template = DecisionTemplate.objects.select_for_update().get(pk=template.pk)
    before = _logged(template)
    merged = {name: fields.get(name, getattr(template, name)) for name in TEMPLATE_FIELDS}
    _save(template, _clean(merged))
    audit("template.update", actor=by, obj=template, request=request, before=before, after=_logged(template))
    return template


@transaction.atomic
def template_delete(*, by, template: DecisionTemplate, request=None) -> None:
    _require_lead(by)
    audit("template.delete", actor=by, obj=template, request=request, **_logged(template))
    template.delete()
