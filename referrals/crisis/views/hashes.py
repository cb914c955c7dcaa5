"""The hash list on the live incident page (SPEC §18).

- `GET /incidents/<slug>/hashes.csv`: the list of the incident's actioned evidence, for other
  platforms; platform roles (anyone else 404).
- `POST /incidents/<slug>/hashes/` with the CSV as `file`: another platform's list, imported
  all or nothing; back to the page with what was imported or, for a refused file, each bad
  row (the first ERRORS_SHOWN). Policy staff and queue leads (reviewers 403, anyone else 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from referrals.crisis.permissions import can_declare_incidents, can_see_incidents_in_full
from referrals.crisis.selectors import incidents_visible_to
from referrals.crisis.services import hashes as services
from referrals.crisis.services.bulletins import incident_path

ERRORS_SHOWN = 10


def _incident(request, slug: str):
    if not can_see_incidents_in_full(request.user):
        raise Http404
    return get_object_or_404(incidents_visible_to(request.user), slug=slug)


@login_required
@require_GET
def incident_hashes_csv(request, slug: str):
    incident = _incident(request, slug)
    response = StreamingHttpResponse(services.hash_list_lines(incident), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{services.hash_list_filename(incident)}"'
    return response


def _read(upload) -> bytes:
    if upload is None:
        raise services.HashListRejected([_("Choose a CSV file to import.")])
    if upload.size > services.MAX_BYTES:
        raise services.HashListRejected([_("The file is larger than 20 MB; split it.")])
    return upload.read()


@login_required
@require_POST
def incident_hashes_import(request, slug: str):
    incident = _incident(request, slug)
    if not can_declare_incidents(request.user):
        raise PermissionDenied(_("Only policy staff and queue leads import hash lists."))
    page = incident_path(incident) + "#hashes"
    try:
        result = services.hash_list_import(
            by=request.user, incident=incident, raw=_read(request.FILES.get("file")), request=request
        )
    except services.HashListRejected as exc:
        messages.error(request, _("The list was not imported; nothing was stored."))
        for error in exc.errors[:ERRORS_SHOWN]:
            messages.error(request, error)
        return redirect(page)
    messages.success(
        request,
        " ".join(
            [
                ngettext(
                    "%(count)d hash imported.",
                    "%(count)d hashes imported.",
                    result.imported,
                )
                % {"count": result.imported},
                ngettext(
                    "%(count)d was in the list already.",
                    "%(count)d were in the list already.",
                    result.duplicates,
                )
                % {"count": result.duplicates},
                ngettext(
                    "%(count)d evidence file stored earlier is now flagged known content.",
                    "%(count)d evidence files stored earlier are now flagged known content.",
                    result.flagged,
                )
                % {"count": result.flagged},
            ]
        ),
    )
    return redirect(page)
