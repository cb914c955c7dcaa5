"""`GET /api/v1/subjects/?q=` (SPEC §15): the search for platform roles.

`q` is a pasted URL of any platform, (part of) a handle, or a reference; see
referrals/review/search.py for how it is read. Subjects exist only for platform roles, so
anyone else gets 404 as on `/api/v1/subjects/{id}/`; the anonymous get 401.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from portal.permissions import permission_from
from referrals.review import search
from referrals.review.permissions import can_see_queues
from referrals.services.reads import referrals_read_audit

# Subjects do not exist for partners (404, like any outsider).
SeesSubjects = permission_from(can_see_queues, not_found=True)


class SearchInputSerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=search.QUERY_MAX,
        error_messages={
            "required": gettext_lazy("Give an account's address, a handle or part of one, or a reference."),
            "blank": gettext_lazy("Give an account's address, a handle or part of one, or a reference."),
        },
    )


class SubjectHitSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    platform = serializers.CharField()
    account = serializers.CharField()
    referral_count = serializers.IntegerField(help_text="How many referrals name this account")
    suspended = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The subject: `/api/v1/subjects/{id}/`")

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_suspended(self, subject) -> bool:
        return subject.suspended_at is not None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, subject) -> str:
        return self.context["request"].build_absolute_uri(reverse("api-subject-detail", kwargs={"id": subject.id}))


class ReferralHitSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    received_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="The referral: `/api/v1/referrals/{id}/`")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, referral) -> str:
        return self.context["request"].build_absolute_uri(reverse("api-referral-detail", kwargs={"id": referral.id}))


class SubjectSearchSerializer(serializers.Serializer):
    """The response, for the schema."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    read_as = serializers.ChoiceField(
        choices=[search.URL, search.REFERENCE, search.HANDLE],
        help_text="How `q` was read: a URL (found by its normalised subject), a reference, or (part of) a handle",
    )
    referral = ReferralHitSerializer(allow_null=True, help_text="For a reference: that referral, else null")
    results = SubjectHitSerializer(many=True, help_text="Best first: exact handles, then by similarity")


class SearchPagination(BasePagination):
    """Numbered pages of a ranked list (`?page=`, `?page_size=` up to 200), shaped like every
    list of the API (`next`, `previous`, `results`; SPEC §9) but without a count: a page is one
    query of page_size + 1 rows, the last only telling whether there is a next page. A ranking
    by similarity has no column a cursor could resume from."""

    page_size = 50
    max_page_size = 200
    # Beyond any page a search can fill, and far from the database's OFFSET limit.
    max_page = 100_000
    invalid_page_message = gettext_lazy("Invalid page.")

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.number = self._number(request.query_params.get("page"))
        self.size = self._size(request.query_params.get("page_size"))
        start = (self.number - 1) * self.size
        rows = list(queryset[start : start + self.size + 1])
        self.has_next = len(rows) > self.size
        return rows[: self.size]

    def _number(self, raw: str | None) -> int:
        if raw is None:
            return 1
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.max_page:
            raise NotFound(self.invalid_page_message)
        return int(raw)

    def _size(self, raw: str | None) -> int:
        if raw and raw.isascii() and raw.isdigit() and int(raw) > 0:
            return min(int(raw), self.max_page_size)
        return self.page_size

    def get_next_link(self) -> str | None:
        if not self.has_next:
            return None
        return replace_query_param(self.request.build_absolute_uri(), "page", self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number == 1:
            return None
        url = self.request.build_absolute_uri()
        return (
            remove_query_param(url, "page") if self.number == 2 else replace_query_param(url, "page", self.number - 1)
        )

    def get_paginated_response(self, data, **extra):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), **extra, "results": data})


class SubjectSearch(APIView):
    permission_classes = [IsAuthenticated, SeesSubjects]

    @extend_schema(
        operation_id="subjects_search",
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                description="A URL of an account or a post on any platform (`https://x.com/someone/status/1`, "
                "`t.me/channel`), a handle or part of one (`@someone`, `someon`), or a reference (`R-2026-000123`)",
            ),
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1"),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Subjects per page (default 50, at most 200)"),
        ],
        responses={
            200: SubjectSearchSerializer,
            400: OpenApiResponse(description='`{"q": [message]}`: no query, or a URL that names no account'),
        },
        description="Find subjects (SPEC §15). Platform roles only; anyone else gets 404. The number of "
        "queries does not depend on the number of subjects found.",
    )
    def get(self, request):
        data = SearchInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        query = data.validated_data["q"]
        found = search.subject_search(request.user, query)
        if found.error:
            raise serializers.ValidationError({"q": [found.error]})
        paginator = SearchPagination()
        page = paginator.paginate_queryset(found.subjects, request, view=self)
        context = {"request": request}
        referral = found.referral
        if referral is not None:
            referrals_read_audit(
                user=request.user,
                referrals=[referral],
                view="api.subject_search",
                filters={"q": query},
                request=request,
            )
        return paginator.get_paginated_response(
            SubjectHitSerializer(page, many=True, context=context).data,
            read_as=found.read_as,
            referral=ReferralHitSerializer(referral, context=context).data if referral is not None else None,
        )
