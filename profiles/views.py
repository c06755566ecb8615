"""资料维护 pages (thin): a provider's entries and revisions, the edit form, a revision, withdrawing it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scoping import Scope, get_visible_or_404
from core.errors import ServiceError
from profiles import entries, services, workflow
from profiles.forms import entry_form
from profiles.models import ProfileRevision


def _provider(request) -> Scope:
    scope = Scope.for_user(request.user)
    if not (scope.active and scope.is_provider and scope.org_id):
        raise Http404
    return scope


@login_required
def mine(request):
    """资源方：本单位的资源库条目与修改记录."""
    _provider(request)
    org = request.user.organization
    revisions = ProfileRevision.objects.visible_to(request.user).select_related("submitted_by")[:50]
    pending = {(r.resource_type, r.resource_id) for r in revisions if r.state == "pending"}
    rows = [(e, (e.resource_type, e.obj.pk) in pending) for e in entries.entries_of(org)]
    return render(request, "profiles/mine.html", {"rows": rows, "revisions": revisions})


@login_required
def edit(request, resource_type, pk):
    """资源方：修改本单位的一个资源库条目（提交后由管理员审核）."""
    _provider(request)
    entry = entries.entry_of(request.user.organization, resource_type, pk)
    if entry is None:
        raise Http404
    form = entry_form(entry, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in entries.EDITABLE[resource_type]}
        try:
            revision = services.submit_revision(
                by=request.user, entry=entry, data=data, note=form.cleaned_data.get("note", "")
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("修改已提交，管理员审核通过后生效。"))
            return redirect(revision.get_absolute_url())
    return render(request, "profiles/edit.html", {"entry": entry, "form": form})


@login_required
def revision(request, pk):
    """一条资料修订：修改前后对照、状态与记录（本单位与管理员可见）."""
    rev = get_visible_or_404(ProfileRevision.objects.select_related("organization"), request.user, pk=pk)
    model = entries.MODELS[rev.resource_type]
    labels = {f: model._meta.get_field(f).verbose_name for f in rev.changes}
    changes = [(labels[f], c["old"], c["new"]) for f, c in rev.changes.items()]
    context = {
        "revision": rev,
        "changes": changes,
        "events": rev.events.select_related("actor"),
        "can_withdraw": workflow.can(rev, "withdraw", request.user),
    }
    return render(request, "profiles/revision.html", context)


@login_required
@require_POST
def withdraw(request, pk):
    """资源方：撤回待审核的修改."""
    rev = get_visible_or_404(ProfileRevision.objects.all(), request.user, pk=pk)
    try:
        services.withdraw_revision(rev, by=request.user)
    except ServiceError as exc:
        if exc.code == "forbidden":
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("修改已撤回。"))
    return redirect(rev.get_absolute_url())
