"""`POST /api/v1/incidents/{slug}/bulletins/` `{body}` → 201 `{body, posted_at, recipients}`
(SPEC §18, Contract): policy staff and queue leads post what partners should report and how;
every active member of every verified partner organisation gets it in-app and by e-mail, in
their language. `recipients` is how many people it reached.

Anyone who cannot see the incident gets 404 (a closed one is hidden from partners); others who
see it (reviewers, partners) 403; a closed incident 409; a body outside 20 to 5,000
characters 400 `{body: [messages]}`, nothing stored or sent.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.parsers import JSONParser
from portal.permissions import permission_from
from referrals.crisis.permissions import can_declare_incidents
from referrals.crisis.selectors import incidents_visible_to
from referrals.crisis.services.bulletins import bulletin_post

# After the lookup, so that whoever cannot see the incident hears 404 first.
PostsBulletins = permission_from(
    can_declare_incidents,
    after_lookup=True,
    message=gettext_lazy("Only policy staff and queue leads post bulletins."),
)

ERRORS = {
    400: OpenApiResponse(description="`{body: [messages]}`"),
    403: OpenApiResponse(description="`{detail}`: only policy staff and queue leads post bulletins"),
    404: OpenApiResponse(description="Not found, or not for you"),
    409: OpenApiResponse(description="`{detail}`: the incident is closed"),
}


class BulletinInputSerializer(serializers.Serializer):
    # The length is checked by the service, after format characters are stripped.
    body = serializers.CharField(
        trim_whitespace=False,
        help_text="20 to 5,000 characters: what partners should report during the incident, and how",
    )


class BulletinSerializer(serializers.Serializer):
    body = serializers.CharField()
    posted_at = serializers.DateTimeField()
    recipients = serializers.IntegerField(help_text="How many members of verified partner organisations it reached")


class IncidentBulletins(APIView):
    permission_classes = [IsAuthenticated, PostsBulletins]
    parser_classes = [JSONParser]

    @extend_schema(
        request=BulletinInputSerializer,
        responses={201: BulletinSerializer, **ERRORS},
        description="Post a bulletin on an active incident: every member of every verified partner "
        "organisation gets it in-app and by e-mail, in their language. Policy staff and queue leads.",
    )
    def post(self, request, slug):
        incident = get_object_or_404(incidents_visible_to(request.user), slug=slug)
        self.check_object_permissions(request, incident)
        data = BulletinInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bulletin = bulletin_post(by=request.user, incident=incident, body=data.validated_data["body"], request=request)
        return Response(BulletinSerializer(bulletin).data, status=status.HTTP_201_CREATED)
