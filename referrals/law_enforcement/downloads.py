"""The production download, one response for the page and the API: streamed from private
storage as an attachment no browser renders (`nosniff`, a sandboxing CSP), named with the ending
of its detected type, never cached. The service's ProductionGone (410) is left to the caller:
the API answers it as JSON, the page as a page."""

from django.http import FileResponse

from referrals.law_enforcement.services import productions


def production_response(request, production) -> FileResponse:
    handle = productions.production_open(by=request.user, production=production, request=request)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=productions.download_name(production),
        content_type=production.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
