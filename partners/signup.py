from allauth.account.forms import SignupForm
from allauth.core import context
from django import forms
from django.utils.translation import gettext_lazy as _

from partners.adapter import invitation_from_session
from portal.text import strip_format_characters


class InvitedSignupForm(SignupForm):
    """The invitation fixes the address: the field is shown but must match it."""

    name = forms.CharField(max_length=150, label=_("Your name"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation_from_session(context.request)
        if self.invitation is not None:
            self.fields["email"].initial = self.invitation.email
            self.fields["email"].widget.attrs["readonly"] = True

    def clean_name(self):
        # A name is shown to reviewers and partners: no bidi overrides or hidden characters.
        return strip_format_characters(self.cleaned_data["name"]).strip()

    def clean_email(self):
        email = super().clean_email()
        if self.invitation is not None and email.lower() != self.invitation.email:
            raise forms.ValidationError(_("Sign up with the address the invitation was sent to."))
        return email

    def save(self, request):
        user = super().save(request)
        user.name = self.cleaned_data["name"]
        user.save(update_fields=["name"])
        return user
