"""The inbox (站内消息), notification preferences and chain subscriptions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chains.models import CountyChain
from matchmaking import forms, services
from matchmaking.models import (
    Notification,
    NotificationPreference,
    Order,
    Subscription,
)
from matchmaking.rows import inbox_notes
from matchmaking.views.common import (
    _page,
    _require,
    _scope,
)


@login_required
def inbox(request):
    """站内消息."""

    def notes():
        return Notification.objects.filter(recipient=request.user)

    # The rows are read as values (rows.inbox_notes), no model instances; the COUNT and page queries depend on
    # the recipient alone: compiled once per connection and recipient (core.compiledsql), the queryset built
    # only to compile.
    page = _page(request, inbox_notes(notes, key=("inbox", request.user.pk)))
    return render(request, "matchmaking/inbox.html", {"page": page})


@require_POST
@login_required
def notification_open(request, pk):
    """Mark one message read and go to its order."""
    note = Notification.objects.filter(recipient=request.user, pk=pk).first()
    if note is None:
        raise Http404
    services.mark_notifications_read(request.user, [note.pk])
    if note.order_id and Order.objects.visible_to(request.user).filter(pk=note.order_id).exists():
        return redirect("orders:detail", pk=note.order_id)
    if note.chain_id and CountyChain.objects.visible_to(request.user).filter(pk=note.chain_id).exists():
        return redirect("chains:chain", pk=note.chain_id)
    return redirect("orders:inbox")


@require_POST
@login_required
def inbox_read_all(request):
    """Mark every message read."""
    services.mark_notifications_read(request.user)
    messages.success(request, _("已全部标为已读。"))
    return redirect("orders:inbox")


@login_required
def preferences(request):
    """通知设置: e-mail on/off and daily digest."""
    pref, _created = NotificationPreference.objects.get_or_create(user=request.user)
    form = forms.PreferenceForm(request.POST or None, instance=pref)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("通知设置已保存。"))
        return redirect("orders:preferences")
    return render(request, "matchmaking/settings_form.html", {"form": form, "title": _("通知设置")})


@login_required
def subscription(request):
    """关注 (providers and bodies): kinds, chain types and prefectures of new orders to hear about."""
    scope = _scope(request)
    _require(scope.is_provider or scope.is_body)
    sub, _created = Subscription.objects.get_or_create(user=request.user)
    initial = {"kinds": sub.kinds, "chain_types": sub.chain_types.all(), "prefectures": sub.prefectures.all()}
    form = forms.SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        sub.kinds = form.cleaned_data["kinds"]
        sub.save()
        sub.chain_types.set(form.cleaned_data["chain_types"])
        sub.prefectures.set(form.cleaned_data["prefectures"])
        messages.success(request, _("关注设置已保存；符合条件的新需求发布时将通知您。"))
        return redirect("orders:subscription")
    return render(
        request,
        "matchmaking/settings_form.html",
        {"form": form, "title": _("关注需求"), "help": _("不勾选表示不限；三项都不勾选则不接收关注通知。")},
    )
