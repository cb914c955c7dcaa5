from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import PartnerApplication, Role
from portal.countries import is_country_code


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(choices=Role.choices, label=_("Role"))

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only the roles the inviter may grant are offered. Any role is accepted here, so that
        # one they may not grant reaches the service, which says who may and audits the try.
        self.fields["role"].widget.choices = [(r.value, r.label) for r in Role if r in roles]


class PartnerApplicationForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https", label=_("Website"))

    class Meta:
        model = PartnerApplication
        fields = [
            "organisation_name",
            "kind",
            "country",
            "website",
            "email_domain",
            "contact_name",
            "contact_email",
            "description",
        ]
        labels = {
            "organisation_name": _("Organisation name"),
            "kind": _("Kind of organisation"),
            "country": _("Country (two-letter code)"),
            "email_domain": _("Your organisation's e-mail domain"),
            "contact_name": _("Contact name"),
            "contact_email": _("Contact email"),
            "description": _("What your organisation does and why you want to partner"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if not is_country_code(country):
            raise forms.ValidationError(_("Use the two-letter ISO 3166-1 country code, e.g. DE."))
        return country

    def clean_email_domain(self):
        domain = self.cleaned_data["email_domain"].strip().lower().lstrip("@")
        if "." not in domain or " " in domain or "/" in domain:
            raise forms.ValidationError(_("Enter a domain such as example.org."))
        return domain

    def clean(self):
        data = super().clean()
        email, domain = data.get("contact_email", ""), data.get("email_domain", "")
        if email and domain and email.lower().rsplit("@", 1)[-1] != domain:
            self.add_error("contact_email", _("Use an address on your organisation's domain."))
        return data


class OrganisationStatusForm(forms.Form):
    verified = forms.BooleanField(required=False, label=_("Verified"))
    trusted_flagger = forms.BooleanField(required=False, label=_("Trusted flagger"))


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Name"), help_text=_("What will use it, e.g. 'case system'"))
    days = forms.IntegerField(min_value=1, max_value=365, initial=90, label=_("Valid for (days)"))
