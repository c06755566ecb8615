"""What the event pages share: the event lookups (visible, managed) and the action helper."""

from django.contrib import messages
from django.http import Http404
from django.utils.translation import gettext_lazy

from accounts.scoping import get_visible_or_404
from core.errors import ServiceError
from events import policy, services
from events.models import Event

PAGE_SIZE = 20

SIMPLE_ACTIONS = {
    "submit": (services.submit_event, gettext_lazy("活动已提交，等待平台审核。")),
    "approve": (services.approve_event, gettext_lazy("活动已通过审核。")),
    "publish": (services.publish_event, gettext_lazy("活动已发布，开放报名。")),
    "finish": (services.finish_event, gettext_lazy("活动已结束。")),
}

REASON_ACTIONS = {"return": services.return_event, "cancel": services.cancel_event}

MEETING_ACTIONS = {
    "accept": (services.accept_meeting, gettext_lazy("已接受洽谈申请。")),
    "decline": (services.decline_meeting, gettext_lazy("已谢绝洽谈申请。")),
    "cancel": (services.cancel_meeting, gettext_lazy("洽谈已取消。")),
    "hold": (services.hold_meeting, gettext_lazy("已标记为已洽谈。")),
}


def _event(request, pk) -> Event:
    return get_visible_or_404(Event.objects.select_related("organizer"), request.user, pk=pk)


def _managed(request, pk) -> tuple[Event, policy.EventReadPolicy]:
    event = _event(request, pk)
    read = policy.for_event(request.user, event)
    if not read.manage:
        raise Http404
    return event, read


def _run(request, func, success: str, *args, **kwargs) -> bool:
    """Call a service; its message becomes a page message; forbidden actions are 404."""
    try:
        func(*args, by=request.user, **kwargs)
    except ServiceError as exc:
        if exc.code == "forbidden":
            raise Http404 from exc
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True
