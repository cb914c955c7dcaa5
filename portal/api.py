"""API foundations shared by every app: pagination, errors, /me."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.accounts.roles import membership_of
from portal.errors import DomainError


def exception_handler(exc, context):
    """Domain errors become 400/403/409 with a message; nothing leaks a stack trace."""
    if isinstance(exc, DomainError):
        body = {exc.field: [exc.message]} if exc.field and exc.status_code == 400 else {"detail": exc.message}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            return Response(exc.message_dict, status=400)
        return Response({"detail": exc.messages}, status=400)
    if isinstance(exc, Http404):
        # DRF's own sentences, translated by DRF into the language of the request.
        return Response({"detail": str(exceptions.NotFound.default_detail)}, status=404)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": str(exc) or str(exceptions.PermissionDenied.default_detail)}, status=403)
    return drf_exception_handler(exc, context)


class OrganisationBriefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()


class MeSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.CharField(allow_null=True)
    organisation = OrganisationBriefSerializer(allow_null=True)


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def me(request):
    membership = membership_of(request.user)
    organisation = membership.organisation if membership else None
    return Response(
        MeSerializer(
            {
                "email": request.user.email,
                "role": membership.role if membership else None,
                "organisation": organisation,
            }
        ).data
    )


__all__ = ["exception_handler", "inline_serializer", "me"]
