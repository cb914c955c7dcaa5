"""The reviewer's workbench pages: queues, work lists, subjects, routing rules, and the review
actions posted from the referral page (SPEC §4, §10).

Queues, rules and subjects exist only for platform roles (anyone else: 404). Actions fetch the
referral through `referrals_visible_to` (404 outside scope) and check the named permission
(403) before touching the input.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.actions import act, show_on_form
from portal.errors import DomainError
from portal.pagination import keyset_position
from referrals import selectors
from referrals.engine import routing
from referrals.engine.clock import clock_of
from referrals.models import Referral
from referrals.review import selectors as queue_selectors
from referrals.review import workbench_selectors
from referrals.review.forms import DecisionForm, QueueForm, ReassignForm, RequestInfoForm, RuleForm, TryItForm
from referrals.review.permissions import (
    can_act_on,
    can_claim,
    can_decide_in_bulk,
    can_manage_routing,
    can_reassign,
    can_see_statement_errors,
    can_work_queue,
    require_queue_access,
)
from referrals.review.services import claims, statements
from referrals.review.services import queues as queue_services
from referrals.review.services import templates as template_services
from referrals.review.views import deciding
from referrals.services.reads import referrals_read_audit

PAGE_SIZE = 50


def _leads_only(request) -> None:
    require_queue_access(request.user)
    if not can_manage_routing(request.user):
        raise PermissionDenied


def _referral(request, reference: str) -> Referral:
    referral = selectors.referral_for_reference(request.user, reference)
    if referral is None:
        raise Http404
    return referral


def _page(referral: Referral) -> str:
    return reverse("referral-detail", kwargs={"reference": referral.reference})


def _back(referral: Referral):
    return redirect(_page(referral))


def _clock_rows(referrals, now):
    """Each referral with its clock, for "time left" and the last-20 % flag."""
    rows = []
    for referral in referrals:
        clock = clock_of(referral)
        rows.append(
            {
                "referral": referral,
                "remaining": clock.remaining(now) if clock else None,
                "at_risk": clock.is_at_risk(now) if clock else False,
                "overdue": referral.breached or (clock.is_breached(now) if clock else False),
            }
        )
    return rows


# --- Queues ------------------------------------------------------------------------------------


@login_required
def queue_list(request):
    require_queue_access(request.user)
    now = timezone.now()
    mine = list(queue_selectors.assigned_to(request.user)[:50])
    referrals_read_audit(user=request.user, referrals=mine, view="assigned", request=request)
    context = {
        "queues": queue_selectors.queue_summaries(request.user, now=now),
        "mine": _clock_rows(mine, now),
        "can_manage": can_manage_routing(request.user),
        "statement_counts": queue_selectors.statement_counts(request.user),
    }
    return render(request, "referrals/queue_list.html", context)


@login_required
@require_POST
def queue_claim(request, slug: str):
    queue = queue_selectors.queue_for(request.user, slug)
    if not can_work_queue(request.user, queue):
        raise PermissionDenied
    referral = claims.referral_claim_next(by=request.user, queue=queue, request=request)
    if referral is None:
        messages.info(request, _("Nothing is waiting in %(queue)s.") % {"queue": queue.name})
        return redirect("queue-detail", slug=queue.slug)
    messages.success(request, _("You claimed %(reference)s.") % {"reference": referral.reference})
    return _back(referral)


@login_required
def queue_edit(request, slug: str):
    _leads_only(request)
    queue = queue_selectors.queue_for(request.user, slug)
    initial = {
        "name": queue.name,
        "description": queue.description,
        "sla_minutes": queue.sla_minutes,
        "members": list(queue.members.values_list("pk", flat=True)),
    }
    form = QueueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = act(
            request,
            lambda: queue_services.queue_update(by=request.user, queue=queue, request=request, **form.cleaned_data),
            success=_("%(queue)s saved.") % {"queue": queue.name},
            redirect_to=reverse("queue-detail", kwargs={"slug": queue.slug}),
            form=form,
        )
        if done:
            return done
    return render(request, "referrals/queue_edit.html", {"queue": queue, "form": form})


# --- Routing rules -----------------------------------------------------------------------------


@login_required
def rule_list(request):
    require_queue_access(request.user)
    rules = queue_selectors.rules_visible_to(request.user)
    form = TryItForm(request.GET or None)
    explanation = decision = decision_queue = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        facts = routing.Facts(
            kind=data["kind"],
            category=data["category"],
            severity=data["severity"],
            country=data["country"].upper(),
            language=data["language"].lower(),
            submitter_kind=data["submitter_kind"],
            trusted_flagger=data["trusted_flagger"],
            corroborating_organisations=data["corroborating_organisations"],
            received_at=timezone.now(),
        )
        explanation, decision = queue_selectors.routing_explain(request.user, facts)
        # The engine names queues by slug; people read their names.
        names = dict(queue_selectors.queues_visible_to(request.user).values_list("slug", "name"))
        explanation = [(rule, matched, why, names.get(rule.queue, rule.queue)) for rule, matched, why in explanation]
        decision_queue = names.get(decision.queue, decision.queue)
    context = {
        "rules": rules,
        "fallback_rules": {rule.pk for rule in rules if queue_services.rule_is_fallback(rule)},
        "form": form,
        "explanation": explanation,
        "decision": decision,
        "decision_queue": decision_queue,
        "can_manage": can_manage_routing(request.user),
    }
    return render(request, "referrals/rules_list.html", context)


@login_required
def rule_edit(request, pk: int | None = None):
    _leads_only(request)
    rule = get_object_or_404(queue_selectors.rules_visible_to(request.user), pk=pk) if pk else None
    initial = RuleForm.initial_for(rule) if rule else {"enabled": True, "priority_boost": 0}
    form = RuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = act(
            request,
            lambda: queue_services.rule_save(by=request.user, rule=rule, request=request, **form.cleaned_data),
            success=lambda saved: _("Rule '%(name)s' saved.") % {"name": saved.name},
            redirect_to="rule-list",
            form=form,
        )
        if done:
            return done
    return render(request, "referrals/rules_edit.html", {"rule": rule, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def rule_delete(request, pk: int):
    """GET asks for confirmation; POST deletes (the fallback rule never: the service refuses)."""
    _leads_only(request)
    rule = get_object_or_404(queue_selectors.rules_visible_to(request.user), pk=pk)
    try:
        if request.method == "GET":
            queue_services.rule_check_deletable(rule)
            return render(request, "referrals/rule_delete_confirm.html", {"rule": rule})
        queue_services.rule_delete(by=request.user, rule=rule, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rule '%(name)s' deleted.") % {"name": rule.name})
    return redirect("rule-list")


# --- Subjects ----------------------------------------------------------------------------------


@login_required
def subject_detail(request, id):
    """The latest 50 referrals naming the account (older ones a page at a time by `?before=`,
    the referral number the page ends at) and the first 50 linked accounts, with totals."""
    subject = get_object_or_404(queue_selectors.subjects_visible_to(request.user), pk=id)
    before = keyset_position(request.GET.get("before"))
    referrals = list(queue_selectors.subject_referrals(request.user, subject, before=before))
    # Reviewers and leads may select the open ones (this account's and its linked accounts') to
    # decide at once (SPEC §15), on asking (`?select=1`): for a hyper account that read is most of
    # the page's time; one read audit names every request the page shows.
    bulk = can_decide_in_bulk(request.user)
    selecting = bulk and request.GET.get("select") == "1"
    open_referrals = workbench_selectors.subject_open_referrals(request.user, subject) if selecting else []
    listed = {r.pk for r in referrals}
    shown = [*referrals, *(r for r in open_referrals if r.pk not in listed)]
    filters = {"subject": subject.pk, "before": before}
    referrals_read_audit(user=request.user, referrals=shown, view="subject", filters=filters, request=request)
    linked = queue_selectors.subject_linked(request.user, subject)
    size = queue_selectors.SUBJECT_LIST_SIZE
    context = {
        "subject": subject,
        "referrals": referrals,
        "older": referrals[-1].seq if len(referrals) == size else None,
        "paged": before is not None,
        "linked": list(linked[:size]),
        "linked_count": queue_selectors.subject_linked_count(request.user, subject),
        "holds": subject.holds.filter(released_at__isnull=True).order_by("until"),
        "can_decide_in_bulk": bulk,
        "selecting": selecting,
        "open_rows": _clock_rows(open_referrals, timezone.now()),
    }
    return render(request, "referrals/subject_detail.html", context)


# --- Statements of reasons (SPEC §22) ------------------------------------------------------------


def _statement_leads_only(request) -> None:
    require_queue_access(request.user)
    if not can_see_statement_errors(request.user):
        raise PermissionDenied


@login_required
def statement_list(request):
    """The statements of reasons not (yet) in the DSA Transparency Database, for queue leads:
    the refused ones first, with the database's errors."""
    _statement_leads_only(request)
    page = Paginator(queue_selectors.unsent_statements(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "counts": queue_selectors.statement_counts(request.user),
        "sending": statements.transparency_database() is not None,
        "query": "",
    }
    return render(request, "referrals/statements.html", context)


@login_required
@require_POST
def statement_resend(request, puid: str):
    _statement_leads_only(request)
    submission = get_object_or_404(queue_selectors.unsent_statements(request.user), puid=puid)
    try:
        statements.statement_resend(by=request.user, submission=submission, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The statement %(puid)s will be sent again with the next run.") % {"puid": puid})
    if request.POST.get("back") == "referral":
        return redirect("referral-detail", reference=submission.decision.referral.reference)
    return redirect("statement-list")


# --- Actions from the referral page --------------------------------------------------------------


@login_required
@require_POST
def referral_claim(request, reference: str):
    referral = _referral(request, reference)
    if not can_claim(request.user, referral):
        raise PermissionDenied
    return act(
        request,
        lambda: claims.referral_claim(by=request.user, referral=referral, request=request),
        success=_("You claimed this referral."),
        redirect_to=_page(referral),
    )


@login_required
@require_POST
def referral_release(request, reference: str):
    referral = _referral(request, reference)
    if not can_act_on(request.user, referral):
        raise PermissionDenied
    return act(
        request,
        lambda: claims.referral_release(by=request.user, referral=referral, request=request),
        success=_("Returned to the queue."),
        redirect_to=_page(referral),
    )


@login_required
@require_POST
def referral_request_info(request, reference: str):
    referral = _referral(request, reference)
    if not can_act_on(request.user, referral):
        raise PermissionDenied
    form = RequestInfoForm(request.POST, referral=referral, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Write the question for the submitter."))
        return _back(referral)
    return act(
        request,
        lambda: template_services.referral_request_info_with_template(
            by=request.user, referral=referral, request=request, **form.cleaned_data
        ),
        success=_("Question sent; the clock is paused until the submitter answers."),
        redirect_to=_page(referral),
    )


@login_required
def referral_decide(request, reference: str):
    """The decision form: shown inline in the review panel, here again when it has errors."""
    referral = _referral(request, reference)
    if not can_act_on(request.user, referral):
        raise PermissionDenied
    if request.method == "POST" and deciding.APPLY_TEMPLATE in request.POST:
        form = DecisionForm(referral=referral, user=request.user)
        deciding.template_applied(form, request.POST)
        return render(request, "referrals/queue_decision.html", {"referral": referral, "form": form})
    form = DecisionForm(request.POST or None, referral=referral, user=request.user)
    if request.method == "POST" and form.is_valid():
        # A decision the form lets through but the service finds invalid comes back on the
        # form; any other refusal is a message on the referral page.
        try:
            return act(
                request,
                lambda: template_services.referral_decide_with_template(
                    by=request.user, referral=referral, request=request, **form.cleaned_data
                ),
                success=_("Decision recorded; the submitter has been told."),
                # "Decide and claim next" claims the following referral once this one is recorded.
                redirect_to=lambda _decision: deciding.after_decision(request, referral),
                failure_redirect_to=_page(referral),
            )
        except ValidationError as exc:
            show_on_form(form, exc)
    return render(request, "referrals/queue_decision.html", {"referral": referral, "form": form})


@login_required
@require_POST
def referral_reassign(request, reference: str):
    referral = _referral(request, reference)
    if not can_reassign(request.user):
        raise PermissionDenied
    form = ReassignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reviewer or a queue."))
        return _back(referral)
    return act(
        request,
        lambda: claims.referral_reassign(by=request.user, referral=referral, request=request, **form.cleaned_data),
        success=_("Reassigned."),
        redirect_to=_page(referral),
    )
