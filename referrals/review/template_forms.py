"""Forms of the workbench's templates (SPEC §15): the lead's template form, and the template
choice that the decision and request-for-information forms offer.

Each offered template's option carries the values it fills in (`data-fill`, JSON), read by
static/js/decision-template.js; without the script the server fills what the reviewer leaves
empty (or the "Apply template" button shows the form filled in).
"""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from referrals.models import Action, DecisionTemplate, Ground, Kind, Referral
from referrals.review.services.decisions import STATEMENT_MAX
from referrals.review.services.templates import template_fill, template_offered_for
from referrals.review.workbench_selectors import templates_for
from referrals.services.labels import language_name

PLACEHOLDER_HELP = _(
    "You may write {account}, {platform}, {reference} and {policy}: each is replaced by the "
    "referral's first account, its platform, the referral's reference and the rule or provision."
)


def template_label(template: DecisionTemplate) -> str:
    if not template.language:
        return template.name
    return f"{template.name} ({language_name(template.language)})"


class TemplateSelect(forms.Select):
    """A select whose options carry the values their template fills in."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-module": "decision-template", **(attrs or {})}, choices)
        self.fills: dict[str, dict] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        fill = self.fills.get(str(value))
        if fill:
            option["attrs"]["data-fill"] = json.dumps(fill)
        return option


class TemplateChoiceField(forms.ChoiceField):
    """One of the templates `offer`ed to the form; cleans to the template (or None)."""

    widget = TemplateSelect

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=(), **kwargs)
        self.templates: dict[str, DecisionTemplate] = {}

    def offer(self, templates, fills: dict[str, dict]) -> None:
        self.templates = {str(t.pk): t for t in templates}
        self.choices = [("", _("No template")), *((str(t.pk), template_label(t)) for t in templates)]
        self.widget.fills = fills

    def clean(self, value):
        value = super().clean(value)
        return self.templates.get(value) if value else None

    def template_for(self, value) -> DecisionTemplate | None:
        return self.templates.get(str(value or ""))


def decision_fill(template: DecisionTemplate, referral: Referral | None) -> dict:
    """What choosing `template` puts in the decision form: its statement filled for `referral`
    (left with its placeholders for a bulk decision, where each referral gets its own)."""
    statement = template.statement_of_reasons
    if referral is not None:
        statement = template_fill(statement, referral=referral, policy=template.policy)
    return {
        "action": template.action,
        "ground": template.ground,
        "policy": template.policy,
        "statement_of_reasons": statement,
    }


def question_fill(template: DecisionTemplate, referral: Referral | None) -> dict:
    text = template.statement_of_reasons
    return {"message": template_fill(text, referral=referral) if referral is not None else text}


class TemplateForm(forms.Form):
    """A decision template (with an outcome) or a request-for-information template (without)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    language = forms.CharField(
        label=_("Language"),
        max_length=2,
        required=False,
        help_text=_("Two-letter code of the referrals it is offered for, e.g. “en”; empty for every language."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: offered for every kind."),
    )
    action = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("None: a request for information")), *Action.choices],
        required=False,
    )
    ground = forms.ChoiceField(
        label=_("Ground"), choices=[("", _("Left to the reviewer")), *Ground.choices], required=False
    )
    policy = forms.CharField(label=_("Rule or legal provision"), max_length=300, required=False)
    statement_of_reasons = forms.CharField(
        label=_("Text"),
        max_length=STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=PLACEHOLDER_HELP,
    )

    @staticmethod
    def initial_for(template: DecisionTemplate) -> dict:
        return {
            "name": template.name,
            "language": template.language,
            "kinds": template.kinds,
            "action": template.action,
            "ground": template.ground,
            "policy": template.policy,
            "statement_of_reasons": template.statement_of_reasons,
        }


def offer_templates(form: forms.Form, *, user, referral: Referral | None, requests_for_information=False) -> None:
    """Offer `form`'s `template` choice: the templates for `referral` (its kind and language),
    or every decision template for a bulk decision. No template to offer, no choice shown.
    With one chosen, the fields it fills in may be left empty."""
    templates = templates_for(user, referral=referral, requests_for_information=requests_for_information)
    if referral is not None:
        templates = [t for t in templates if template_offered_for(t, referral)]
    if not templates:
        del form.fields["template"]
        return
    fill = question_fill if requests_for_information else decision_fill
    form.fields["template"].offer(templates, {str(t.pk): fill(t, referral) for t in templates})
    if form.is_bound and form.data.get(form.add_prefix("template")):
        for name in fill(templates[0], None):
            form.fields[name].required = False
            form.fields[name].required_mark = True


def template_merge(form: forms.Form, data: dict) -> dict:
    """Fill what the reviewer left empty from the chosen template (what they wrote wins); a
    field the template leaves empty too is required as before."""
    template = data.get("template")
    if template is None:
        return data
    fill = question_fill if template.is_request_for_information else decision_fill
    for name, value in fill(template, None).items():
        if name in form.errors or data.get(name) not in (None, ""):
            continue
        if value:
            data[name] = value
        else:
            form.add_error(name, form.fields[name].error_messages["required"])
    return data
