from django import forms

from partners.models import PartnerApplication, Role
from portal.countries import is_country_code


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only the roles the inviter may grant are offered. Any role is accepted here, so that
        # one they may not grant reaches the service, which says who may and audits the try.
        self.fields["role"].widget.choices = [(r.value, r.label) for r in Role if r in roles]


class PartnerApplicationForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https")

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
            "kind": "Kind of organisation",
            "country": "Country (two-letter code)",
            "email_domain": "Your organisation's e-mail domain",
            "description": "What your organisation does and why you want to partner",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if not is_country_code(country):
            raise forms.ValidationError("Use the two-letter ISO 3166-1 country code, e.g. DE.")
        return country

    def clean_email_domain(self):
        domain = self.cleaned_data["email_domain"].strip().lower().lstrip("@")
        if "." not in domain or " " in domain or "/" in domain:
            raise forms.ValidationError("Enter a domain such as example.org.")
        return domain

    def clean(self):
        data = super().clean()
        email, domain = data.get("contact_email", ""), data.get("email_domain", "")
        if email and domain and email.lower().rsplit("@", 1)[-1] != domain:
            self.add_error("contact_email", "Use an address on your organisation's domain.")
        return data


class OrganisationStatusForm(forms.Form):
    verified = forms.BooleanField(required=False)
    trusted_flagger = forms.BooleanField(required=False, label="Trusted flagger")


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. 'case system'")
    days = forms.IntegerField(min_value=1, max_value=365, initial=90, label="Valid for (days)")
