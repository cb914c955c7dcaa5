"""Declared permissions (STYLE rule 4): DRF permission classes made from the named predicates,
declared on every API view."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from portal.permissions import PredicatePermission, permission_from
from tests.factories import UserFactory

PROJECT_PACKAGES = {"portal", "partners", "referrals", "campaigns", "training", "dashboards", "benchmarks"}
# Public on purpose (SPEC §8): the transparency figures.
PUBLIC_API = {"api-transparency"}


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def project_api_views():
    """(route, url name, view class) of every DRF view of the project in the URLconf."""
    views = []
    for route, pattern in _patterns():
        cls = getattr(pattern.callback, "cls", None)
        if cls is None or not issubclass(cls, APIView):
            continue
        if cls.__module__.split(".")[0] in PROJECT_PACKAGES:
            views.append((route, pattern.name, cls))
    return views


def test_the_walk_finds_the_api():
    names = {name for _, name, _ in project_api_views()}
    assert {"api-me", "api-referral-list", "api-queue-list", "api-campaigns", "api-events"} <= names
    assert len(names) > 30


@pytest.mark.parametrize(("route", "name", "cls"), project_api_views(), ids=lambda v: getattr(v, "__name__", v))
def test_every_api_view_declares_its_permissions(route, name, cls):
    # The settings' default is the same list object APIView was built with: inheriting it means
    # nobody decided who may call the endpoint.
    assert cls.permission_classes is not APIView.permission_classes, f"{route} declares no permission_classes"
    if name in PUBLIC_API:
        assert list(cls.permission_classes) == [AllowAny]
    else:
        assert cls.permission_classes[0] is IsAuthenticated, f"{route} does not start from IsAuthenticated"
        assert AllowAny not in cls.permission_classes


def test_no_api_view_checks_roles_by_hand():
    """Role gates are declared; the refusals that stay in code come from services (NotAllowed)."""
    root = Path(settings.BASE_DIR)
    paths = [path for package in sorted(PROJECT_PACKAGES) for path in (root / package).glob("**/api/views.py")]
    assert len(paths) >= 5
    for path in paths:
        source = path.read_text()
        for by_hand in ("raise PermissionDenied", "_platform_only(", "_require(", "status=403"):
            assert by_hand not in source, f"{path.relative_to(root)}: {by_hand}"


# --- permission_from -------------------------------------------------------------------------


def _is_trusted(user) -> bool:
    return user.email.startswith("trusted")


def _owns(user, obj) -> bool:
    return obj["owner"] == user.email


class _Thing(APIView):
    """Reads a fake object, then asks the object permissions, as the project's views do."""

    def get(self, request):
        self.check_object_permissions(request, {"owner": "trusted@example.test"})
        return Response({"ok": True})

    def post(self, request):
        return self.get(request)


def _call(permission, user=None, method="get"):
    view = _Thing.as_view(permission_classes=[IsAuthenticated, permission], authentication_classes=[])
    request = getattr(APIRequestFactory(), method)("/thing/")
    if user is not None:
        force_authenticate(request, user=user)
    response = view(request)
    return response.status_code, response.data


@pytest.fixture
def trusted(db):
    return UserFactory(email="trusted@example.test")


@pytest.fixture
def stranger(db):
    return UserFactory(email="stranger@example.test")


def test_a_predicate_becomes_a_permission_class_named_after_it():
    permission = permission_from(_is_trusted, message="Trusted only.")
    assert issubclass(permission, PredicatePermission)
    assert permission.__name__ == "IsTrusted"
    assert permission.message == "Trusted only."


def test_a_refused_user_gets_403_with_the_message(stranger, trusted):
    permission = permission_from(_is_trusted, message="Trusted only.")
    assert _call(permission, stranger) == (403, {"detail": "Trusted only."})
    assert _call(permission, trusted) == (200, {"ok": True})


def test_without_a_message_the_refusal_is_drfs_sentence(stranger):
    status, body = _call(permission_from(_is_trusted), stranger)
    assert (status, str(body["detail"])) == (403, "You do not have permission to perform this action.")


def test_the_anonymous_get_401_before_any_predicate_is_asked():
    def explode(user):
        raise AssertionError("asked")

    for permission in (
        permission_from(explode),
        permission_from(explode, not_found=True),
        permission_from(explode, takes_object=True),
    ):
        view = _Thing.as_view(permission_classes=[permission])
        response = view(APIRequestFactory().get("/thing/"))
        assert response.status_code == 401


def test_a_hidden_resource_answers_404_to_the_refused(stranger):
    assert _call(permission_from(_is_trusted, not_found=True), stranger) == (404, {"detail": "Not found."})


def test_methods_limit_what_the_permission_guards(stranger):
    permission = permission_from(_is_trusted, methods={"post"}, message="No.")
    assert _call(permission, stranger, "get")[0] == 200
    assert _call(permission, stranger, "post") == (403, {"detail": "No."})


def test_an_object_predicate_is_asked_with_the_object(stranger, trusted):
    permission = permission_from(_owns, takes_object=True, message="Not yours.")
    assert _call(permission, trusted)[0] == 200
    assert _call(permission, stranger) == (403, {"detail": "Not yours."})


def test_after_lookup_asks_a_user_predicate_only_once_the_object_is_fetched(stranger):
    asked = []

    def spy(user):
        asked.append(user)
        return False

    permission = permission_from(spy, after_lookup=True)
    request = APIRequestFactory().get("/thing/")
    force_authenticate(request, user=stranger)
    drf_request = _Thing().initialize_request(request)
    assert permission().has_permission(drf_request, None) is True
    assert asked == []
    assert _call(permission, stranger)[0] == 403
    assert asked
