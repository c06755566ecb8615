"""Who is told what: in-app Notification rows written with the event, e-mails sent by Celery after commit.

What each notification (and so its e-mail) may carry to its recipient is the read policy's decision
(`policy.OrderReadPolicy.note_for`): a provider never receives a government note or another party's outcome.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_noop as N_

from accounts.choices import OrgKind
from core import compiledsql, dispatch
from matchmaking import policy, texts
from matchmaking.choices import DeclineReason, EventKind, NotificationKind
from matchmaking.models import Notification, Order, OrderRoute, Proposal, Subscription
from matchmaking.tally.cells import routed_bodies


def _users():
    # With what Scope.for_user reads, so the read policy of each recipient costs no query.
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .select_related("organization__county", "organization__provincial_body")
    )


def admins():
    """Platform administrators (superusers and platform staff)."""
    return _users().filter(Q(is_superuser=True) | Q(is_staff=True, organization__kind=OrgKind.PLATFORM))


def _listed(key: str, build, value) -> list:
    """`list(build(value))`, from a query compiled once per connection (`core.compiledsql`): the recipients of
    the workflow's notifications are read with the same query for every order, one id (or ids) changed."""
    if value is None or (isinstance(value, tuple) and None in value):
        return list(build(value))
    return compiledsql.fetch(("notification recipients", key), build, value)


def county_users(order):
    """Officials of the placing county."""
    return _county_users(order.county_id)


def _county_users(county_id):
    return _users().filter(organization__kind=OrgKind.COUNTY, organization__county_id=county_id)


def city_users(order):
    """Coordinators of the county's prefecture city."""
    return _users().filter(
        organization__kind=OrgKind.CITY, organization__prefecture_id=order.county.prefecture_id
    )


def _county_and_city(ids):
    county_id, prefecture_id = ids
    county = Q(organization__kind=OrgKind.COUNTY, organization__county_id=county_id)
    city = Q(organization__kind=OrgKind.CITY, organization__prefecture_id=prefecture_id)
    return _users().filter(county | city)


def county_and_city_users(order) -> list:
    """Officials of the placing county, then coordinators of its prefecture city: `county_users` followed by
    `city_users`, read in one query."""
    users = _listed("county and city", _county_and_city, (order.county_id, order.county.prefecture_id))

    def of_county(user) -> bool:
        org = user.organization
        return org.kind == OrgKind.COUNTY and org.county_id == order.county_id

    return [u for u in users if of_county(u)] + [u for u in users if not of_county(u)]


def body_users(body_ids):
    """Members of the given provincial bodies."""
    return _users().filter(
        organization__kind=OrgKind.BODY, organization__provincial_body_id__in=list(body_ids)
    )


def org_users(org_ids):
    """Members of the given organizations."""
    return _users().filter(organization_id__in=list(org_ids))


def taking_body_users(order):
    """Members of the body that took the order."""
    if not order.claimed_by_body_id:
        return _users().none()
    return body_users([order.claimed_by_body_id])


def responder_users(order, accepted_only=False):
    """Members of providers that responded to the order."""
    responses = Proposal.objects.filter(order=order)
    if accepted_only:
        responses = responses.filter(state="accepted")
    return org_users(responses.values_list("provider_org_id", flat=True))


def notify(
    users, kind: str, order, title, body: str = "", exclude=None, *, body_message: dict | None = None
) -> list[Notification]:
    """Write one in-app notification per distinct user and e-mail them after commit; each recipient gets
    of `body` what the read policy lets it read of this order (`note_for`). `title` is a texts.message (or a
    plain string) and `body_message` the body's own message when the platform wrote it: both are rendered
    in each reader's language; the stored title and body are their Chinese text."""
    title_message = title if isinstance(title, dict) else {}
    title = texts.render_in("zh-hans", title_message) if title_message else str(title)
    if body_message:
        body = texts.render_in("zh-hans", body_message)
    exclude_id = getattr(exclude, "pk", None)
    seen = set()
    recipients = []
    for user in users:
        if user.pk in seen or user.pk == exclude_id:
            continue
        seen.add(user.pk)
        recipients.append(user)
    readers = policy.for_recipients(recipients, order) if order is not None and body else {}
    rows = []
    for user in recipients:
        text = readers[user.pk].note_for(kind, body) if user.pk in readers else body
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                order=order,
                title=title[:200],
                body=text,
                title_message=title_message,
                body_message=(body_message or {}) if text == body else {},
            )
        )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk is not None]
    if not ids:  # backends that do not return ids from bulk inserts
        ids = list(
            Notification.objects.filter(order=order, kind=kind, recipient_id__in=seen)
            .order_by("-pk")
            .values_list("pk", flat=True)[: len(rows)]
        )
    # robust: an unreachable broker must not turn the committed change into an error page
    dispatch.enqueue_batch_on_commit("matchmaking.tasks.orders.send_notification_emails", ids)
    return created


def _title(order, text) -> dict:
    """`text` (a msgid, or a texts.message) followed by the order's title, rendered per reader."""
    what = text if isinstance(text, dict) else texts.translatable(text)
    return texts.message(N_("%(what)s：%(title)s"), what=what, title=order.title)


def notify_event(event, routed: tuple | None = None) -> None:
    """Tell the parties of an order what an event means for them (the dispatch table of issue #4 §6); `routed`:
    the order's `tally.routed_bodies`, when the caller has just read them (a ROUTED event)."""
    order = event.order
    kind = event.kind
    note = event.note
    by = event.actor
    message = event.note_message or None
    if kind == EventKind.SUBMITTED:
        notify(
            _listed("admins", lambda _none: admins(), ()),
            NotificationKind.SUBMITTED,
            order,
            _title(order, N_("新需求待审核")),
            note,
            by,
            body_message=message,
        )
    elif kind in (EventKind.PUBLISHED, EventKind.RETURNED, EventKind.REJECTED):
        text = {
            EventKind.PUBLISHED: N_("您的需求已审核通过并发布"),
            EventKind.RETURNED: N_("您的需求被退回修改"),
            EventKind.REJECTED: N_("您的需求不予受理"),
        }[kind]
        users = _listed("county", _county_users, order.county_id)
        notify(users, kind, order, _title(order, text), note, by, body_message=message)
    elif kind == EventKind.ROUTED:
        bodies = tuple(routed_bodies(order.pk)) if routed is None else routed
        notify(
            _listed("bodies", body_users, bodies),
            NotificationKind.ROUTED,
            order,
            _title(order, N_("新需求待接单")),
            note,
            by,
            body_message=message,
        )
    elif kind == EventKind.CLAIMED:
        users = county_and_city_users(order)
        notify(
            users,
            NotificationKind.CLAIMED,
            order,
            _title(order, N_("需求已被接单")),
            note,
            by,
            body_message=message,
        )
    elif kind == EventKind.RESPONDED:
        users = _listed("county", _county_users, order.county_id) + (
            _listed("bodies", body_users, (order.claimed_by_body_id,)) if order.claimed_by_body_id else []
        )
        notify(
            users,
            NotificationKind.RESPONDED,
            order,
            _title(order, N_("收到新响应")),
            note,
            by,
            body_message=message,
        )
    elif kind == EventKind.COMMENTED:
        users = list(county_users(order)) + list(taking_body_users(order)) + list(city_users(order))
        notify(
            users,
            NotificationKind.COMMENTED,
            order,
            _title(order, N_("新的协调意见")),
            note,
            by,
            body_message=message,
        )
    elif kind in (EventKind.RESOLVED, EventKind.CLOSED, EventKind.EXPIRED, EventKind.WITHDRAWN):
        users = (
            list(county_users(order))
            + list(city_users(order))
            + list(taking_body_users(order))
            + list(responder_users(order))
        )
        if kind == EventKind.EXPIRED or (kind == EventKind.WITHDRAWN and event.from_state == "published"):
            bodies = OrderRoute.objects.filter(order=order).values_list("body_id", flat=True)
            users += list(body_users(bodies))
        text = {
            EventKind.RESOLVED: N_("需求已解决"),
            EventKind.CLOSED: N_("需求未解决关闭"),
            EventKind.EXPIRED: N_("需求已过期"),
            EventKind.WITHDRAWN: N_("需求已撤回"),
        }[kind]
        notify(users, kind, order, _title(order, text), note, by, body_message=message)


def notify_response_decision(response, accepted: bool, by) -> None:
    """Tell the responding provider whether the county accepted or declined its response."""
    order = response.order
    message = None
    if accepted:
        title, kind, body = (
            _title(order, N_("您的响应已被接受")),
            NotificationKind.ACCEPTED,
            response.decision_note,
        )
    else:
        title, kind = _title(order, N_("您的响应未被采纳")), NotificationKind.DECLINED
        reason = texts.translatable(DeclineReason(response.reason_category).label)
        note = response.decision_note
        message = (
            texts.message(N_("%(reason)s：%(note)s"), reason=reason, note=note)
            if note
            else texts.message(N_("%(reason)s"), reason=reason)
        )
        body = texts.render_in("zh-hans", message)
    notify(org_users([response.provider_org_id]), kind, order, title, body, by, body_message=message)


def notify_invitation(invitation, by) -> None:
    """Tell a provider it was invited to respond."""
    order = invitation.order
    notify(
        org_users([invitation.provider_org_id]),
        NotificationKind.INVITED,
        order,
        _title(order, N_("邀请您响应需求")),
        invitation.note,
        by,
    )


def notify_reminder(order, users, text: str) -> None:
    """Remind the responsible body of an overdue order."""
    notify(users, NotificationKind.REMINDER, order, _title(order, text))


def notify_escalation(order, text: str) -> None:
    """Escalate an overdue order to the administrators."""
    notify(admins(), NotificationKind.ESCALATED, order, _title(order, text))


def notify_subscribers(order) -> int:
    """Tell every subscriber whose subscription fits a newly published order; return how many were told."""
    subscriptions = (
        Subscription.objects.filter(user__is_active=True)
        .select_related("user")
        .prefetch_related("chain_types", "prefectures")
    )
    users = []
    for sub in subscriptions:
        chain_types = {c.pk for c in sub.chain_types.all()}
        prefectures = {p.pk for p in sub.prefectures.all()}
        if sub.fits(order, chain_types, prefectures):
            users.append(sub.user)
    # Providers only hear of orders they may see; restricted orders reach subscribers who are invited or routed.

    visible = [u for u in users if Order.objects.visible_to(u).filter(pk=order.pk).exists()]
    notify(visible, NotificationKind.SUBSCRIPTION, order, _title(order, N_("您关注的新需求已发布")))
    return len(visible)
