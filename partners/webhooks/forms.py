from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import WebhookEvent


class WebhookForm(forms.Form):
    # The service checks the address (https, public) and answers on this field.
    url = forms.CharField(
        label=_("URL"),
        max_length=2000,
        help_text=_("Where to send events: an https address on the public internet."),
        widget=forms.URLInput(attrs={"dir": "ltr", "inputmode": "url", "autocomplete": "url"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
