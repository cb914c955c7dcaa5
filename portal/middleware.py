"""Cross-cutting guards on every request and response."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

NUL_IN_ADDRESS = _("The address contains a NUL character, which no page or API accepts.")


class RefuseNulInAddressMiddleware:
    """A NUL in the path or the query string is a 400 before any view reads it.

    Views pass path parts (`<str:reference>`) and query values (filters) to the database,
    and PostgreSQL refuses NUL in text with an error, so this one check spares every view
    from its own. Form bodies are left to the forms, which refuse NUL field by field.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in "".join(k + "".join(v) for k, v in request.GET.lists()):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": str(NUL_IN_ADDRESS)}, status=400)
            body = render_to_string("portal/bad_request.html", {"message": NUL_IN_ADDRESS}, request=request)
            return HttpResponseBadRequest(body)
        return self.get_response(request)


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in person, page or
    API (session or token: DRF sets the token's user on the request it wraps; any request
    that carries credentials counts, even one that reached no view), so neither a
    shared proxy nor the browser's history or back button keeps what they were shown.

    Responses that their view declares `public`, and responses to anonymous visitors, keep
    their own policy (the public transparency report,
    the calendar feed that calendar applications fetch by its secret address).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        policy = response.get("Cache-Control", "")
        # A view that declares its response public (the scripts' strings, the same for everyone
        # in a language) keeps that policy.
        if signed_in and "no-store" not in policy and "public" not in policy:
            response["Cache-Control"] = "private, no-store"
        return response
