"""Training events over the API (SPEC §9). Refusals: a cancelled event, closed registration and
a second registration are 400 `{"detail"}`; an organisation kind outside the audience is 403."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal.pagination import CursorPagination
from portal.permissions import permission_from
from training import selectors, services
from training.api.serializers import (
    RegistrationResultSerializer,
    TrainingEventFilterSerializer,
    TrainingEventInputSerializer,
    TrainingEventSerializer,
)
from training.permissions import can_create_events, can_manage_event

CreatesEvents = permission_from(
    can_create_events, methods={"POST"}, message=gettext_lazy("Only policy staff create training events.")
)
# Asked once the event is fetched in scope, so someone it is hidden from hears 404, not 403.
ManagesEvent = permission_from(
    can_manage_event,
    methods={"PATCH"},
    takes_object=True,
    message=gettext_lazy("Only policy staff and the event's organisers may edit it."),
)


class EventPagination(CursorPagination):
    ordering = ("starts_at", "id")


class _NoFormatOverride:
    URL_FORMAT_OVERRIDE = None


class FormatIsAFilterNegotiation(DefaultContentNegotiation):
    """`?format=` filters events by format here (SPEC §9), so it must not pick a renderer."""

    settings = _NoFormatOverride()


def _organisers(emails):
    if emails is None:
        return None
    users = list(get_user_model().objects.filter(email__in=[e.lower() for e in emails]))
    missing = sorted({e.lower() for e in emails} - {u.email for u in users})
    if missing:
        raise ValidationError({"organisers": [_("No account for %(emails)s.") % {"emails": ", ".join(missing)}]})
    return users


class EventList(GenericAPIView):
    permission_classes = [IsAuthenticated, CreatesEvents]
    serializer_class = TrainingEventSerializer
    pagination_class = EventPagination
    content_negotiation_class = FormatIsAFilterNegotiation

    def get_queryset(self):
        return selectors.events_visible_to(self.request.user)

    @extend_schema(
        parameters=[TrainingEventFilterSerializer],
        responses=TrainingEventSerializer(many=True),
        summary="Upcoming events (or those starting between `after` and `before`)",
    )
    def get(self, request):
        filters = TrainingEventFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = selectors.events_filtered(request.user, **filters.validated_data)
        page = self.paginate_queryset(events)
        context = {**self.get_serializer_context(), **selectors.viewer_context(request.user, page)}
        return self.get_paginated_response(TrainingEventSerializer(page, many=True, context=context).data)

    @extend_schema(
        request=TrainingEventInputSerializer, responses={201: TrainingEventSerializer}, summary="Publish an event"
    )
    def post(self, request):
        data = TrainingEventInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        organisers = _organisers(fields.pop("organisers", None)) or []
        event = services.event_create(
            by=request.user, slug=fields.pop("slug", ""), organisers=organisers, request=request, **fields
        )
        event = selectors.events_visible_to(request.user).get(pk=event.pk)
        context = {**self.get_serializer_context(), **selectors.viewer_context(request.user, [event])}
        return Response(TrainingEventSerializer(event, context=context).data, status=status.HTTP_201_CREATED)


class EventDetail(GenericAPIView):
    permission_classes = [IsAuthenticated, ManagesEvent]
    serializer_class = TrainingEventSerializer

    def get_event(self, slug):
        return get_object_or_404(selectors.events_visible_to(self.request.user), slug=slug)

    def respond(self, event, status_code=status.HTTP_200_OK):
        context = {**self.get_serializer_context(), **selectors.viewer_context(self.request.user, [event])}
        return Response(TrainingEventSerializer(event, context=context).data, status=status_code)

    @extend_schema(responses=TrainingEventSerializer, summary="One event, with `my_registration`")
    def get(self, request, slug):
        return self.respond(self.get_event(slug))

    @extend_schema(
        request=TrainingEventInputSerializer(partial=True),
        responses=TrainingEventSerializer,
        summary="Edit an event (policy staff and its organisers)",
    )
    def patch(self, request, slug):
        event = self.get_event(slug)
        self.check_object_permissions(request, event)
        data = TrainingEventInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k in request.data}
        if "slug" in fields:
            raise ValidationError({"slug": [_("An event's address cannot change.")]})
        # Naming organisers depends on the body, so the service refuses it (NotAllowed → 403).
        organisers = _organisers(fields.pop("organisers", None))
        services.event_update(by=request.user, event=event, organisers=organisers, request=request, **fields)
        return self.respond(self.get_event(slug))


class EventRegister(GenericAPIView):
    permission_classes = [IsAuthenticated]  # who is in the audience is the service's business (403)
    serializer_class = RegistrationResultSerializer

    @extend_schema(
        request=None,
        responses={201: RegistrationResultSerializer},
        summary="Register: `confirmed`, or `waitlisted` when the event is full",
    )
    def post(self, request, slug):
        event = get_object_or_404(selectors.events_visible_to(request.user), slug=slug)
        registration = services.registration_register(user=request.user, event=event, request=request)
        return Response({"status": registration.status}, status=status.HTTP_201_CREATED)


class EventCancel(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = RegistrationResultSerializer

    @extend_schema(request=None, responses=RegistrationResultSerializer, summary="Cancel my registration")
    def post(self, request, slug):
        event = get_object_or_404(selectors.events_visible_to(request.user), slug=slug)
        registration = services.registration_cancel(user=request.user, event=event, request=request)
        return Response({"status": registration.status})
