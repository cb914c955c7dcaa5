from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from partners.services import ApiTokenRefused, api_token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`; a wrong, expired or revoked token is a 401, and so
    is the token of an MFA role whose account has no second factor."""

    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Malformed token.")) from None
        try:
            user = api_token_authenticate(token)
        except ApiTokenRefused as exc:
            raise exceptions.AuthenticationFailed(exc.message) from None
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return user, None

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "partners.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}
