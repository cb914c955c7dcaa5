"""`act`, the ending every HTML action view shares: a message, a redirect, or the form again."""

import pytest
from django import forms
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from portal.actions import act
from portal.errors import DomainError, NotAllowed


def _request():
    request = RequestFactory().post("/somewhere/")
    request._messages = CookieStorage(request)
    return request


def _said(request) -> list[tuple[int, str]]:
    return [(m.level, m.message) for m in request._messages]


class NameForm(forms.Form):
    name = forms.CharField()


def _refuse(exc):
    def action():
        raise exc

    return action


def test_a_success_says_so_and_redirects():
    request = _request()
    response = act(request, lambda: None, success="Saved.", redirect_to="/done/")
    assert (response.status_code, response.url) == (302, "/done/")
    assert _said(request) == [(messages.SUCCESS, "Saved.")]


def test_the_message_and_the_redirect_may_come_from_the_result():
    request = _request()
    response = act(
        request,
        lambda: "item-7",
        success=lambda result: (messages.INFO, f"{result} waits."),
        redirect_to=lambda result: f"/{result}/",
    )
    assert response.url == "/item-7/"
    assert _said(request) == [(messages.INFO, "item-7 waits.")]


def test_a_refusal_is_an_error_message_and_the_same_redirect():
    request = _request()
    response = act(request, _refuse(DomainError("Not now.")), success="Saved.", redirect_to="/done/")
    assert (response.status_code, response.url) == (302, "/done/")
    assert _said(request) == [(messages.ERROR, "Not now.")]


def test_a_refusal_may_redirect_elsewhere():
    request = _request()
    response = act(
        request,
        _refuse(DomainError("Gone.")),
        success="Saved.",
        redirect_to=lambda result: f"/{result}/",
        failure_redirect_to="/list/",
    )
    assert response.url == "/list/"
    assert _said(request) == [(messages.ERROR, "Gone.")]


def test_not_allowed_is_a_message_unless_the_view_asks_for_a_403():
    request = _request()
    assert act(request, _refuse(NotAllowed("Not yours.")), success="x", redirect_to="/").status_code == 302
    assert _said(request) == [(messages.ERROR, "Not yours.")]
    with pytest.raises(PermissionDenied, match="Not yours"):
        act(_request(), _refuse(NotAllowed("Not yours.")), success="x", redirect_to="/", deny_with_403=True)


def test_a_conflict_stays_a_message_even_when_not_allowed_is_a_403():
    request = _request()
    response = act(request, _refuse(DomainError("Too late.")), success="x", redirect_to="/", deny_with_403=True)
    assert response.status_code == 302
    assert _said(request) == [(messages.ERROR, "Too late.")]


def test_with_a_form_a_refusal_lands_on_its_field_and_nothing_is_answered():
    request = _request()
    form = NameForm({"name": "x"})
    assert form.is_valid()
    done = act(request, _refuse(DomainError("Taken.", field="name")), success="x", redirect_to="/", form=form)
    assert done is None
    assert form.errors == {"name": ["Taken."]}
    assert _said(request) == []


def test_with_a_form_a_refusal_of_a_field_it_lacks_goes_above_it():
    form = NameForm({"name": "x"})
    form.is_valid()
    act(_request(), _refuse(DomainError("Closed.", field="other")), success="x", redirect_to="/", form=form)
    assert form.non_field_errors() == ["Closed."]


def test_with_a_form_a_validation_error_lands_on_its_fields():
    form = NameForm({"name": "x"})
    form.is_valid()
    act(_request(), _refuse(ValidationError({"name": ["Too short."]})), success="x", redirect_to="/", form=form)
    assert form.errors == {"name": ["Too short."]}


def test_without_a_form_a_validation_error_is_not_swallowed():
    with pytest.raises(ValidationError):
        act(_request(), _refuse(ValidationError("Bad.")), success="x", redirect_to="/")
