"""The evidence download, one response for the page and the API: an attachment that no browser
renders (`nosniff`, a sandboxing CSP), named with the ending of its detected type, never cached,
and 410 once retention deleted the file."""

from django.http import FileResponse, Http404, JsonResponse
from django.utils.translation import gettext as _

from referrals.intake.services import evidence


def evidence_response(request, row):
    try:
        handle = evidence.evidence_open(evidence=row, user=request.user, request=request)
    except FileNotFoundError:
        if row.file_deleted_at is not None:
            return JsonResponse({"detail": _("This file was deleted under the retention policy.")}, status=410)
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.download_name(row), content_type=row.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
