"""DRF permission classes made from the apps' named predicates (STYLE rule 4).

The predicates stay plain functions in each app's `permissions.py`, shared with the pages,
the services and the navigation; an API view declares what it needs:

    CreatesEvents = permission_from(can_create_events, methods={"POST"}, message="Only policy staff …")

    class EventList(GenericAPIView):
        permission_classes = [IsAuthenticated, CreatesEvents]

A check that needs the object (`can_act_on(user, referral)`), or a role check that must come
after the scoped lookup so that someone outside the scope still gets 404 rather than 403
(SPEC §9), runs in `has_object_permission`: the view calls `self.check_object_permissions(request,
obj)` right after fetching the object through its selector, as DRF's `get_object` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission


class PredicatePermission(BasePermission):
    """Asks `predicate` about the requester; see `permission_from` for the knobs."""

    predicate: Callable[..., bool]
    methods: frozenset[str] | None = None
    after_lookup = False
    takes_object = False
    not_found = False
    message: str | None = None

    def _applies(self, request) -> bool:
        return self.methods is None or request.method in self.methods

    def _refuse(self) -> bool:
        # Returning False makes DRF answer 403 with `message` (401 for the anonymous); some
        # resources do not exist for the refused, so they hear 404 like any outsider.
        if self.not_found:
            raise NotFound
        return False

    def has_permission(self, request, view) -> bool:
        if not getattr(request.user, "is_authenticated", False):
            return False
        if self.after_lookup or not self._applies(request):
            return True
        return self.predicate(request.user) or self._refuse()

    def has_object_permission(self, request, view, obj) -> bool:
        if not self.after_lookup or not self._applies(request):
            return True
        allowed = self.predicate(request.user, obj) if self.takes_object else self.predicate(request.user)
        return allowed or self._refuse()


def permission_from(
    predicate: Callable[..., bool],
    *,
    message: str | None = None,
    methods: Iterable[str] | None = None,
    after_lookup: bool = False,
    takes_object: bool = False,
    not_found: bool = False,
) -> type[PredicatePermission]:
    """A permission class asking `predicate(user)`, or `predicate(user, obj)` with `takes_object`.

    message       the 403 `{"detail"}` (DRF's generic sentence when None); a `gettext_lazy`
                  string, so each request reads it in its own language
    methods       the HTTP methods it guards (every method when None); others pass
    after_lookup  ask once the view has the object in hand (`check_object_permissions`), so
                  outsiders get the selector's 404 first; implied by `takes_object`
    not_found     refuse with 404 instead of 403, for resources that do not exist for the refused

    Anonymous requesters are always refused (401), whatever the method.
    """
    attrs = {
        "predicate": staticmethod(predicate),
        "message": message,
        "methods": frozenset(m.upper() for m in methods) if methods is not None else None,
        "after_lookup": after_lookup or takes_object,
        "takes_object": takes_object,
        "not_found": not_found,
        # A lazy (translated) message is left out of the docstring: reading it at import would
        # fix it in whatever language is active then.
        "__doc__": f"Permission from `{predicate.__name__}`." + (f" {message}" if isinstance(message, str) else ""),
    }
    name = "".join(part.capitalize() for part in predicate.__name__.split("_"))
    return type(name, (PredicatePermission,), attrs)


__all__ = ["PredicatePermission", "permission_from"]
