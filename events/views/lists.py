"""The event list and the event forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.scoping import Scope
from core.errors import ServiceError
from events import filtersets, forms, services
from events.choices import EventState
from events.models import Event
from events.views.common import (
    PAGE_SIZE,
    _managed,
)


@login_required
def event_list(request):
    """对接活动: the catalogue of published events, the user's own and those it registered for."""
    scope = Scope.for_user(request.user)
    queryset = Event.objects.visible_to(request.user).with_list_relations()
    tab = request.GET.get("tab", "all")
    if tab == "mine":
        queryset = queryset.filter(organizer_id=scope.org_id)
    elif tab == "joined":
        queryset = queryset.filter(registrations__organization_id=scope.org_id)
    filterset = filtersets.EventFilter(request.GET or None, queryset=queryset)
    page = Paginator(filterset.qs.order_by("-starts_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "events/event_list.html",
        {
            "page": page,
            "filter": filterset,
            "tab": tab,
            "query": query.urlencode(),
            "can_create": scope.active and scope.org_kind in services.ORGANIZER_KINDS,
            "pending_review": Event.objects.filter(state=EventState.SUBMITTED).count()
            if scope.is_admin
            else 0,
        },
    )


@login_required
def event_create(request):
    """新建对接活动."""
    scope = Scope.for_user(request.user)
    if not (scope.active and scope.org_kind in services.ORGANIZER_KINDS):
        raise Http404
    form = forms.EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(by=request.user, data=form.data_for_service())
        except ServiceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("活动草稿已保存。"))
            return redirect(event)
    return render(request, "events/event_form.html", {"form": form, "title": _("新建对接活动")})


@login_required
def event_edit(request, pk):
    """修改对接活动 (organizer, before it ends)."""
    event, _read = _managed(request, pk)
    form = forms.EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_event(
                Event.objects.get(pk=event.pk), by=request.user, data=form.data_for_service()
            )
        except ServiceError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("活动已保存。"))
            return redirect(event)
    return render(
        request, "events/event_form.html", {"form": form, "title": _("修改对接活动"), "event": event}
    )


def _form_errors(form, exc: ServiceError) -> None:
    for field, message in (exc.errors or {"__all__": exc.message}).items():
        form.add_error(field if field in form.fields else None, message)
