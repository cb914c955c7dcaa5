"""Decision templates' pages (SPEC §15): every platform role reads the list, queue leads
create, edit and delete. Partners get 404 (the pages do not exist for them), other platform
roles 403 on the writing pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.actions import act
from referrals.review.permissions import can_manage_templates, require_queue_access
from referrals.review.services import templates as template_services
from referrals.review.template_forms import TemplateForm
from referrals.review.workbench_selectors import templates_visible_to
from referrals.services.labels import language_name

PAGE_SIZE = 50


def _leads_only(request) -> None:
    require_queue_access(request.user)
    if not can_manage_templates(request.user):
        raise PermissionDenied


@login_required
def template_list(request):
    require_queue_access(request.user)
    page = Paginator(templates_visible_to(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(t, language_name(t.language) if t.language else "") for t in page.object_list]
    context = {"page": page, "rows": rows, "query": "", "can_manage": can_manage_templates(request.user)}
    return render(request, "referrals/template_list.html", context)


@login_required
def template_edit(request, pk=None):
    _leads_only(request)
    template = get_object_or_404(templates_visible_to(request.user), pk=pk) if pk else None
    initial = TemplateForm.initial_for(template) if template else {}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if template is None:

            def save():
                return template_services.template_create(by=request.user, request=request, **form.cleaned_data)
        else:

            def save():
                return template_services.template_update(
                    by=request.user, template=template, request=request, **form.cleaned_data
                )

        done = act(
            request,
            save,
            success=lambda saved: _("Template '%(name)s' saved.") % {"name": saved.name},
            redirect_to="template-list",
            form=form,
        )
        if done:
            return done
    return render(request, "referrals/template_edit.html", {"template": template, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def template_delete(request, pk):
    """GET asks for confirmation; POST deletes."""
    _leads_only(request)
    template = get_object_or_404(templates_visible_to(request.user), pk=pk)
    if request.method == "GET":
        return render(request, "referrals/template_delete_confirm.html", {"template": template})
    template_services.template_delete(by=request.user, template=template, request=request)
    messages.success(request, _("Template '%(name)s' deleted.") % {"name": template.name})
    return redirect("template-list")
