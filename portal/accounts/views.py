"""The person's own preferences: the preferences page and the language switcher."""

import contextlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog, set_language

from portal.accounts.preferences import EmailPreferencesForm, PreferencesForm
from portal.accounts.roles import is_platform
from portal.accounts.services import user_set_preferences
from portal.actions import act
from portal.email_preferences import user_set_email_preferences
from portal.errors import DomainError


@login_required
def preferences(request):
    user = request.user
    platform = is_platform(user)
    initial = {"language": user.language, "time_zone": user.time_zone}
    if platform:
        initial["reads_languages"] = ", ".join(user.reads_languages or [])
    form = PreferencesForm(request.POST or None, initial=initial, platform=platform)
    email_form = EmailPreferencesForm(request.POST or None, user=user, prefix="email")
    if request.method == "POST" and form.is_valid() and email_form.is_valid():
        data = form.cleaned_data

        @transaction.atomic
        def save():
            saved = user_set_preferences(
                user=user,
                language=data["language"],
                time_zone=data["time_zone"],
                # Only platform roles have the field; for everyone else nothing changes.
                reads_languages=data.get("reads_languages"),
                request=request,
            )
            if (chosen := email_form.chosen()) is not None:
                user_set_email_preferences(user=saved, choices=chosen, request=request)
            return saved

        response = act(
            request,
            save,
            success=lambda saved: _saved(request, saved),
            redirect_to="preferences",
            form=form,
        )
        if response is not None:
            return response
    return render(request, "portal/preferences.html", {"form": form, "email_form": email_form})


def _saved(request, user) -> str:
    # Said in the language just chosen, not in the one the page was asked in.
    with translation.override(user.language or translation.get_language_from_request(request)):
        return _("Your preferences are saved.")


@require_POST
def language_switch(request):
    """The header's and the sign-in page's switcher: Django's set_language (a cookie, back to
    `next` on this site only), and for a signed-in person their saved setting as well."""
    response = set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language != user.language:
        # An unknown language: set_language has ignored it already, and there is nothing to save.
        with contextlib.suppress(DomainError):
            user_set_preferences(user=user, language=language, time_zone=user.time_zone, request=request)
    return response


_catalogue = JavaScriptCatalog.as_view(domain="djangojs")


@cache_control(public=True, max_age=24 * 3600)
def javascript_catalogue(request, language: str):
    """The scripts' strings in `language` (Django's JavaScript catalogue). The language is in
    the address, so the browser keeps one copy per language and fetches it once a day instead
    of with every page; it holds nothing of the person's (see portal.middleware)."""
    codes = {code for code, _name in settings.LANGUAGES}
    with translation.override(language if language in codes else settings.LANGUAGE_CODE):
        return _catalogue(request)
