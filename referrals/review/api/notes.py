"""`GET, POST /api/v1/referrals/{id}/notes/` (SPEC §15): team notes, for platform roles only.

Notes are internal: to anyone else, the submitting organisation included, the endpoint does
not exist (404, before the referral is even looked up).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portal.pagination import CursorPagination
from portal.permissions import permission_from
from referrals import selectors
from referrals.models import Note, Referral
from referrals.review import selectors as queue_selectors
from referrals.review.permissions import can_keep_notes
from referrals.review.services import notes
from referrals.services.audit import referral_audit_viewed


class NoteSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    at = serializers.DateTimeField(read_only=True)
    author = serializers.SerializerMethodField(help_text="The author's display name")
    body = serializers.CharField(
        min_length=1,
        max_length=notes.NOTE_MAX,
        help_text="Free text, 1–5,000 characters; seen by platform staff only",
    )

    def get_author(self, note: Note) -> str:
        return note.author.display_name if note.author is not None else _("Former team member")


class NotePagination(CursorPagination):
    ordering = ("at", "id")


# Notes do not exist for partners: 404, like any outsider, whatever the referral.
KeepsNotes = permission_from(can_keep_notes, not_found=True)


class ReferralNotes(GenericAPIView):
    permission_classes = [IsAuthenticated, KeepsNotes]
    serializer_class = NoteSerializer
    pagination_class = NotePagination
    queryset = Note.objects.none()  # for the schema only: reads go through the selector

    def _referral(self, id) -> Referral:
        return get_object_or_404(selectors.referrals_visible_to(self.request.user), id=id)

    @extend_schema(
        responses=NoteSerializer(many=True),
        description="The referral's team notes, oldest first. Platform roles only; anyone else gets 404.",
    )
    def get(self, request, id):
        referral = self._referral(id)
        referral_audit_viewed(referral, by=request.user, request=request, view="notes")
        page = self.paginate_queryset(queue_selectors.referral_notes(request.user, referral))
        return self.get_paginated_response(NoteSerializer(page, many=True).data)

    @extend_schema(
        request=NoteSerializer,
        responses={201: NoteSerializer, 400: OpenApiResponse(description="{body: [messages]}")},
        description="Add a team note: never shown to the submitter, in no partner API, e-mail or export.",
    )
    def post(self, request, id):
        referral = self._referral(id)
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note = notes.note_add(by=request.user, referral=referral, body=data.validated_data["body"], request=request)
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)
