"""How an HTML view runs one service call: show its refusal, or say it worked and redirect.

Every form-less POST view ends the same way (call the service; a refusal becomes an error
message, a success a message of its own; back to the page), and every form view shows a
refusal on the form instead. `act` is that ending, written once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect

from portal.errors import DomainError

# A message is its text (shown as a success) or a (level, text) pair, e.g. (messages.INFO, "…").
Message = str | tuple[int, str]


def show_on_form(form, exc: DomainError | ValidationError) -> None:
    """Show a service's refusal on `form`: by field where the form has that field, else above it."""
    if isinstance(exc, DomainError):
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def act(
    request,
    action: Callable[[], Any],
    *,
    success: Message | Callable[[Any], Message],
    redirect_to: Any,
    failure_redirect_to: Any = None,
    form=None,
    deny_with_403: bool = False,
) -> HttpResponseRedirect | None:
    """Call `action` (a service call with its arguments bound) and answer the request.

    On success: the `success` message (or what the function of the action's result returns)
    and a redirect to `redirect_to` (anything `redirect()` takes, or a function of the
    result giving it).

    On a DomainError: with a `form`, the refusal is shown on it (a ValidationError too) and
    None is returned, so the view renders the form again; without one, an error message and
    a redirect to `failure_redirect_to` (default `redirect_to`, which must then not be a
    function). With `deny_with_403`, a NotAllowed is a 403 instead, for views that leave
    the permission check to the service.
    """
    try:
        result = action()
    except (DomainError, ValidationError) as exc:
        if form is not None:
            show_on_form(form, exc)
            return None
        if isinstance(exc, ValidationError):
            raise
        if deny_with_403 and exc.status_code == 403:
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
        return redirect(failure_redirect_to if failure_redirect_to is not None else redirect_to)
    message = success(result) if callable(success) else success
    level, text = message if isinstance(message, tuple) else (messages.SUCCESS, message)
    messages.add_message(request, level, text)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


def posted_ids(values: Iterable) -> list[uuid.UUID]:
    """The ids a page posted (checkboxes), in order, once each; anything not an id is left out."""
    ids: list[uuid.UUID] = []
    for value in values:
        try:
            id = uuid.UUID(str(value))
        except ValueError:
            continue
        if id not in ids:
            ids.append(id)
    return ids
