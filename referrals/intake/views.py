"""Partner-facing referral pages: file, list, follow, withdraw, answer, bulk upload.

Reviewers reach the same referral page; their actions come from the review panel include.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from portal.actions import act, show_on_form
from portal.errors import DomainError
from portal.pagination import keyset_position
from referrals import selectors
from referrals.choices import RequestedData
from referrals.engine import legal
from referrals.engine.clock import clock_of
from referrals.filters import ReferralSearchFilter
from referrals.intake.downloads import evidence_response
from referrals.intake.forms import (
    BulkUploadForm,
    EvidenceForm,
    MessageForm,
    ReferralForm,
    RenewalForm,
    ReplyForm,
    WithdrawForm,
)
from referrals.intake.services import bulk, evidence
from referrals.intake.services import filing as intake
from referrals.law_enforcement import selectors as le_selectors
from referrals.law_enforcement.services import preservation as legal_services
from referrals.models import CLOSED_STATUSES, Kind, Referral
from referrals.permissions import (
    can_add_evidence,
    can_reply,
    can_see_feedback,
    can_withdraw,
    is_submitting_member,
    kinds_filable_by,
)
from referrals.services import labels
from referrals.services.audit import referral_audit_viewed
from referrals.services.messages import message_post
from referrals.services.reads import referrals_read_audit

PAGE_SIZE = 50


def _referral(request, reference: str) -> Referral:
    referral = selectors.referral_for_reference(request.user, reference)
    if referral is None:
        raise Http404(_("No such referral."))
    return referral


def _page(referral: Referral) -> str:
    return reverse("referral-detail", kwargs={"reference": referral.reference})


@login_required
def referral_list(request):
    filters = ReferralSearchFilter(request.GET, queryset=selectors.referrals_visible_to(request.user), request=request)
    # A filter that does not parse lists nothing (the API answers 400): never a wider list.
    qs = filters.qs if filters.is_valid() else filters.queryset.none()
    rows, newer, older = _keyset_page(qs, request.GET)
    referrals_read_audit(
        user=request.user,
        referrals=rows,
        view="referrals",
        filters=filters.form.cleaned_data if filters.is_valid() else None,
        request=request,
    )
    query = urlencode({k: v for k, v in request.GET.items() if k not in ("before", "after") and v})
    context = {
        "form": filters.form,
        "referrals": rows,
        "newer": newer,
        "older": older,
        "query": query,
        "can_file": bool(kinds_filable_by(request.user)),
        "platform": selectors.is_platform_staff(request.user),
    }
    return render(request, "referrals/list.html", context)


def _keyset_page(qs, params) -> tuple[list[Referral], int | None, int | None]:
    """A page of the newest-first list by `seq` (cursor pagination): (rows, newer, older),
    where newer/older are the cursors of the neighbouring pages or None."""
    before = keyset_position(params.get("before"))
    after = keyset_position(params.get("after"))
    if after is not None:
        rows = list(qs.filter(seq__gt=after).order_by("seq")[: PAGE_SIZE + 1])
        has_newer = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        return rows, (rows[0].seq if has_newer and rows else None), (rows[-1].seq if rows else None)
    if before is not None:
        qs = qs.filter(seq__lt=before)
    rows = list(qs.order_by("-seq")[: PAGE_SIZE + 1])
    has_older = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    newer = rows[0].seq if before is not None and rows else None
    return rows, newer, (rows[-1].seq if has_older else None)


@login_required
def referral_new(request):
    kinds = kinds_filable_by(request.user)
    if not kinds:
        raise PermissionDenied(_("Your role does not file referrals."))
    # The guide's answer (`?kind=`) chooses the kind; a kind this filer may not file is ignored.
    chosen = request.GET.get("kind") if request.GET.get("kind") in kinds else None
    initial = {"kind": chosen} if chosen else None
    form = ReferralForm(request.POST or None, request.FILES or None, kinds=kinds, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            referral = intake.referral_submit(
                user=request.user, data=form.submission, evidence=form.inspected, request=request
            )
        except intake.ReferralInvalid as exc:
            for field, errors in exc.errors.items():
                form.add_error(field if field in form.fields else None, [str(e) for e in errors])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(kind)s %(reference)s received.")
                % {"kind": referral.get_kind_display(), "reference": referral.reference},
            )
            return redirect("referral-detail", reference=referral.reference)
    context = {
        "form": form,
        # Liaisons are first asked which request they need (SPEC §17); others file one kind.
        "guide": Kind.LE_REFERRAL in kinds,
        "guide_kinds": kinds,
    }
    kind = chosen or (request.POST.get("kind") if request.method == "POST" else None)
    if kind in kinds:
        context["chosen_label"] = Kind(kind).label
    return render(request, "referrals/new.html", context)


@login_required
def referral_detail(request, reference: str):
    referral = _referral(request, reference)
    referral_audit_viewed(referral, by=request.user, request=request)
    user = request.user
    now = timezone.now()
    # The one clock the work list and the review panel read too, so pauses count the same.
    clock = clock_of(referral)
    running = clock is not None and not referral.is_closed
    rows = list(referral.evidence.all())
    for row in rows:
        row.type_label = evidence.type_label(row.content_type)
    decision = getattr(referral, "decision", None)
    events = selectors.referral_events(user, referral)
    platform = selectors.is_platform_staff(user)
    context = {
        "referral": referral,
        "language_name": labels.language_name(referral.language) if referral.language else "",
        "country_name": labels.country_name(referral.country) if referral.country else "",
        "targets": referral.targets.all(),
        "evidence": rows,
        "events": events,
        # As its timeline says: the person, "Surfacing" for a detector's signal (SPEC §14).
        "filed_by": next((e["actor"] for e in events if e["type"] == "received"), ""),
        "decision": decision,
        "scope_names": labels.country_names(decision.territorial_scope) if decision else [],
        "platform": platform,
        "resemblances": _resemblances(referral) if platform else [],
        "submitter": is_submitting_member(user, referral),
        "can_withdraw": can_withdraw(user, referral),
        "can_add_evidence": can_add_evidence(user, referral),
        "evidence_form": EvidenceForm(),
        "clock": clock,
        "remaining": clock.remaining(now) if clock else None,
        "at_risk": clock.is_at_risk(now) if running else False,
        "breached": referral.breached or (clock.is_breached(now) if running else False),
        "closed": referral.status in CLOSED_STATUSES,
        **_law_enforcement_context(user, referral),
    }
    return render(request, "referrals/detail.html", context)


def _resemblances(referral: Referral) -> list:
    """The suspended accounts a look-alike signal resembles, closest first (platform roles)."""
    if referral.kind != Kind.SIGNAL:
        return []
    return list(referral.resemblances.select_related("subject"))


def _law_enforcement_context(user, referral: Referral) -> dict:
    """The removal order's deadline outcome and feedback, a preservation request's holds and
    renewal (SPEC §5), what an emergency request asks to be disclosed (SPEC §17)."""
    if not referral.is_legal:
        return {}
    context = {
        "deadline_outcome": le_selectors.deadline_outcome(referral),
        "feedback_available": le_selectors.feedback_available(referral) and can_see_feedback(user, referral),
        "grounds": [labels.engine_text(label) for label in legal.ground_labels(referral.legal_grounds)],
    }
    if referral.kind == Kind.EMERGENCY_REQUEST:
        context["requested_data"] = [
            RequestedData(v).label for v in referral.requested_data if v in RequestedData.values
        ]
    if referral.kind == Kind.REMOVAL_ORDER:
        context.update(le_selectors.tco_hold_state(user, referral))  # TCO Art. 6 (SPEC §17)
    if referral.kind == Kind.PRESERVATION_REQUEST:
        context["holds"] = list(referral.holds.select_related("subject").order_by("subject__platform", "pk"))
        context["can_renew"] = legal_services.can_renew(user, referral)
        context["renewals"] = list(referral.renewals.order_by("seq"))
        context["renew_form"] = RenewalForm(
            initial={"preserve_until": legal_services.renewal_default_until(referral, timezone.localdate())}
        )
    return context


@login_required
@require_http_methods(["GET", "POST"])
def referral_withdraw(request, reference: str):
    """GET asks for confirmation (withdrawing cannot be undone); POST withdraws."""
    referral = _referral(request, reference)
    if request.method == "GET":
        if not can_withdraw(request.user, referral):
            raise PermissionDenied(_("Only the submitting organisation can withdraw an open referral."))
        return render(request, "referrals/withdraw_confirm.html", {"referral": referral, "form": WithdrawForm()})
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        # A reason that cannot be kept (too long, a NUL) is refused, not silently dropped.
        messages.error(request, _("The reason: %(problems)s") % {"problems": " ".join(form.errors["reason"])})
        return redirect("referral-detail", reference=referral.reference)
    try:
        intake.referral_withdraw(
            referral=referral, user=request.user, reason=form.cleaned_data["reason"], request=request
        )
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(reference)s withdrawn.") % {"reference": referral.reference})
    return redirect("referral-detail", reference=referral.reference)


@login_required
@require_POST
def referral_reply(request, reference: str):
    referral = _referral(request, reference)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your answer (at most 5,000 characters)."))
        return redirect(_page(referral))
    return act(
        request,
        lambda: intake.referral_reply(
            referral=referral, user=request.user, body=form.cleaned_data["body"], request=request
        ),
        success=_("Answer sent; the review resumes."),
        redirect_to=_page(referral),
        deny_with_403=True,
    )


@login_required
@require_POST
def referral_message(request, reference: str):
    """Write on the referral's messages from its page (SPEC §17); the submitter's message while
    information is asked answers it. Back to the messages with what happened."""
    referral = _referral(request, reference)
    back = _page(referral) + "#messages-h"
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your message (at most 5,000 characters)."))
        return redirect(back)
    answering = can_reply(request.user, referral)
    return act(
        request,
        lambda: message_post(by=request.user, referral=referral, body=form.cleaned_data["body"], request=request),
        success=_("Answer sent; the review resumes.") if answering else _("Message sent."),
        redirect_to=back,
        deny_with_403=True,
    )


@login_required
@require_POST
def referral_evidence_add(request, reference: str):
    referral = _referral(request, reference)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose at least one file."))
        return redirect(_page(referral))
    return act(
        request,
        lambda: evidence.evidence_add(
            referral=referral, uploads=form.cleaned_data["evidence"], user=request.user, request=request
        ),
        success=lambda rows: (
            ngettext("%(count)d file added.", "%(count)d files added.", len(rows)) % {"count": len(rows)}
        ),
        redirect_to=_page(referral),
        deny_with_403=True,
    )


@login_required
def evidence_download(request, reference: str, evidence_id):
    referral = _referral(request, reference)
    row = get_object_or_404(selectors.evidence_visible_to(request.user), referral=referral, id=evidence_id)
    response = evidence_response(request, row)
    if response.status_code == 410:
        return render(request, "referrals/evidence_gone.html", {"referral": referral, "evidence": row}, status=410)
    return response


# --- Bulk ---------------------------------------------------------------------------------------


@login_required
def bulk_upload(request):
    kinds = kinds_filable_by(request.user)
    if not kinds:
        raise PermissionDenied(_("Your role does not file referrals."))
    form = BulkUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > bulk.MAX_CSV_BYTES:
                raise DomainError(_("The CSV file is larger than 25 MB; split it."), field="file")
            items = bulk.parse_csv(upload.read())
            job = bulk.bulk_job_create(user=request.user, items=items, request=request)
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            return redirect("referral-bulk-job", job_id=job.id)
    jobs = selectors.bulk_jobs_of(request.user)[:10]
    return render(request, "referrals/bulk.html", {"form": form, "jobs": jobs, "columns": bulk.csv_columns(kinds)})


@login_required
def bulk_job(request, job_id):
    job = get_object_or_404(selectors.bulk_jobs_of(request.user), id=job_id)
    errors = [{"row": e.get("row"), "problems": _problems(e.get("errors", {}))} for e in job.errors[:500]]
    return render(request, "referrals/bulk_job.html", {"job": job, "errors": errors})


def _problems(errors: dict) -> list[dict]:
    """A refused row's errors `{field: [message or {target part: [messages]}]}` as the page
    shows them: each field by its label (none for the row as a whole), each message as text."""
    problems = []
    for field, field_errors in errors.items():
        parts = []
        for m in field_errors:
            if isinstance(m, dict):  # one target's errors by part (url, account, …)
                parts += [
                    {"label": bulk.TARGET_PART_LABELS.get(k, k), "text": " ".join(map(str, v))} for k, v in m.items()
                ]
            else:
                parts.append({"label": "", "text": m})
        label = "" if field == "non_field_errors" else bulk.COLUMN_LABELS.get(field, field)
        problems.append({"label": label, "parts": parts})
    return problems


@login_required
def bulk_template(request):
    columns = bulk.csv_columns(kinds_filable_by(request.user))
    response = HttpResponse(bulk.csv_template(columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="referrals-template.csv"'
    return response
