"""The rows of the order lists, of the matched-orders page, of the inbox and of an order's matches, built in
Python.

Each list page renders 20 rows of some 25 template lookups, two `{% include %}`s, a `reverse()` and a dozen
translations each (~4 ms of a list page's CPU). Here the same markup, character for character, is written with
the texts translated, the detail URL reversed and the state labels looked up once per page; every value shown is
escaped as the template's autoescaping would (the translations of the template's texts are not: Django takes them
as safe). `tests/matchmaking/test_rows.py` keeps the former row templates (the loops of `order_list.html`,
`inbox.html` and `_matches.html`, and `_matched_row.html`, with `_state.html` and `_chain_mark.html`) and compares.
"""

import html

from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape as _escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext, pgettext

from chains.choices import PENDING_STATUSES, ChainStatus
from core.formats import format_amount
from core.pagination import RowValues
from engine.reasons import render_reasons
from matchmaking.choices import (
    DeclineReason,
    NotificationKind,
    OrderKind,
    OrderState,
    ProposalState,
    ResourceType,
)
from matchmaking.models import choice_label
from matchmaking.templatetags.orders_tags import STATE_COLOURS
from matchmaking.texts import render

_PLACEHOLDER = 2147483647  # an order id no table reaches, replaced by each row's id


def escape(text) -> str:
    """Django's `escape` as text for f-strings: the same characters, without its wrapper and SafeString."""
    return html.escape(str(text))


class Texts:
    """What every row of one page shares: translated texts, label lookups and the detail URL pattern."""

    def __init__(self):
        url = reverse("orders:detail", args=[_PLACEHOLDER])
        self.url_head, self.url_tail = url.split(str(_PLACEHOLDER), 1)
        self.url_head, self.url_tail = escape(self.url_head), escape(self.url_tail)
        self.sample = gettext("示例")
        self.expect = gettext("期望")
        self.claimed = gettext("接单")
        self.colon = pgettext("label separator", "：")
        self.open_paren = pgettext("opening parenthesis", "（")
        self.close_paren = pgettext("closing parenthesis", "）")
        self.overdue = gettext("已超时")
        self.pending_title = gettext("所属产业链已申报，尚待省级认定")
        self.pending = gettext("待认定")
        self.revoked = gettext("产业链已撤销")
        self.score = gettext("匹配度")
        self.amount = gettext("金额")
        self._states: dict[str, str] = {}
        self._kinds: dict[str, str] = {}
        self._translations: dict[str, str] = {}

    @classmethod
    def shared(cls) -> "Texts":
        """The Texts of the active language (and script prefix), made once per process: everything it holds is
        fixed for them (translations, labels, the reversed URL)."""
        key = (get_language(), get_script_prefix())
        texts = _SHARED_TEXTS.get(key)
        if texts is None or len(texts._translations) >= 4096:  # bounded: a reason's stage may be any text
            if len(_SHARED_TEXTS) >= 16:
                _SHARED_TEXTS.clear()
            texts = _SHARED_TEXTS[key] = cls()
        return texts

    def translate(self, msgid: str) -> str:
        """gettext, remembered (a matched page renders ~300 reasons from a few dozen msgids)."""
        text = self._translations.get(msgid)
        if text is None:
            text = self._translations[msgid] = gettext(msgid)
        return text

    def url(self, pk) -> str:
        """The order page's URL (escaped)."""
        return f"{self.url_head}{pk}{self.url_tail}"

    def state(self, state: str) -> str:
        """The state badge (`_state.html`, with its trailing newline)."""
        badge = self._states.get(state)
        if badge is None:
            badge = self._states[state] = (
                f'<span class="badge text-bg-{escape(STATE_COLOURS.get(state, "secondary"))}" data-testid="state">'
                f"{escape(choice_label(OrderState, state))}</span>\n"
            )
        return badge

    def kind(self, kind: str) -> str:
        """The kind's label (escaped)."""
        label = self._kinds.get(kind)
        if label is None:
            label = self._kinds[kind] = escape(choice_label(OrderKind, kind))
        return label

    def chain_mark(self, chain) -> str:
        """The chain's 待认定 / 已撤销 mark (`_chain_mark.html`, with its trailing newline)."""
        if chain.is_pending:
            return (
                f' <span class="badge text-bg-warning" data-testid="chain-pending" title="{self.pending_title}">'
                f"{self.pending}</span>\n"
            )
        if chain.is_revoked:
            return f' <span class="badge text-bg-secondary" data-testid="chain-revoked-mark">{self.revoked}</span>\n'
        return "\n"


_SHARED_TEXTS: dict[tuple, Texts] = {}


def _date(value) -> str:
    """`value|date:"Y-m-d"` of a date."""
    return "" if value is None else f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _minute(value) -> str:
    """`value|date:"Y-m-d H:i"` of an aware datetime, in the current time zone."""
    value = localtime(value)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}"


def _amount(value) -> str:
    return escape(format_amount(value))


def order_row(order, texts: Texts, show_clock: bool) -> str:
    """One row of an order list (the loop body of `order_list.html`)."""
    county, chain = order.county, order.chain
    parts = [
        f'\n  <a class="list-group-item list-group-item-action py-3" href="{texts.url(order.pk)}" '
        f'data-testid="order-row">\n    <div class="d-flex justify-content-between gap-2">\n'
        f'      <div class="fw-semibold text-break">{escape(order.title)}',
        f' <span class="badge text-bg-warning">{texts.sample}</span>' if order.is_sample else "",
        f'</div>\n      <div class="text-nowrap">{texts.state(order.state)}</div>\n    </div>\n'
        f'    <div class="small text-muted mt-1">\n'
        f'      <span class="badge text-bg-light border">{texts.kind(order.kind)}</span>\n'
        f"      {escape(county.prefecture.name)} · {escape(county.name)} · {escape(chain.chain_type.name)}"
        f"{texts.chain_mark(chain)}\n      ",
        f" · {_amount(order.amount_yuan)}" if order.amount_yuan else "",
        f"\n      · {texts.expect} {_date(order.due_date)}\n      ",
        f" · {texts.claimed}{texts.colon}{escape(str(order.claimed_by_body))}"
        if order.claimed_by_body
        else "",
        "\n    </div>\n    ",
    ]
    clock = getattr(order, "clock", None) if show_clock else None
    if clock:
        parts.append(
            f'<div class="small mt-1 text-{escape(clock.css)}"><i class="bi bi-clock"></i> {escape(clock.label)}'
            f"{texts.colon}{_minute(clock.deadline)}"
        )
        if clock.overdue:
            parts.append(f"{texts.open_paren}{texts.overdue}{texts.close_paren}")
        parts.append("</div>")
    parts.append("\n  </a>\n")
    return "".join(parts)


# What an order list row reads of an order, as `values()` names (see list_orders).
LIST_FIELDS = (
    "pk",
    "title",
    "is_sample",
    "state",
    "kind",
    "amount_yuan",
    "due_date",
    "published_at",
    "claim_due_at",
    "claimed_at",
    "last_progress_at",
    "claimed_by_body_id",
    "claimed_by_body__short_name",
    "claimed_by_body__name",
    "county__name",
    "county__prefecture__name",
    "chain__status",
    "chain__chain_type__name",
)


class _Named:
    """A related object of a list row: its name (and `str()`, as the model's)."""

    __slots__ = ("chain_type", "name", "prefecture")

    def __init__(self, name, prefecture=None, chain_type=None):
        self.name, self.prefecture, self.chain_type = name, prefecture, chain_type

    def __str__(self):
        return self.name


class _Chain(_Named):
    """A list row's chain: its type's name and its status marks (as CountyChain's properties)."""

    __slots__ = ("status",)

    def __init__(self, status, chain_type):
        super().__init__("", chain_type=chain_type)
        self.status = status

    @property
    def is_pending(self) -> bool:
        """As CountyChain.is_pending."""
        return self.status in PENDING_STATUSES

    @property
    def is_revoked(self) -> bool:
        """As CountyChain.is_revoked."""
        return self.status == ChainStatus.REVOKED


class ListOrder:
    """An order of a list page built from one `values(*LIST_FIELDS)` row: what `order_row` and `sla.clock` read."""

    __slots__ = (
        "amount_yuan",
        "chain",
        "claim_due_at",
        "claimed_at",
        "claimed_by_body",
        "clock",
        "county",
        "due_date",
        "is_sample",
        "kind",
        "last_progress_at",
        "pk",
        "published_at",
        "state",
        "title",
    )

    def __init__(self, row: dict):
        for name in ("pk", "title", "is_sample", "state", "kind", "amount_yuan", "due_date", "published_at"):
            setattr(self, name, row[name])
        self.claim_due_at, self.claimed_at = row["claim_due_at"], row["claimed_at"]
        self.last_progress_at = row["last_progress_at"]
        self.claimed_by_body = (
            _Named(
                row["claimed_by_body__short_name"] or row["claimed_by_body__name"]
            )  # ProvincialBody.__str__
            if row["claimed_by_body_id"] is not None
            else None
        )
        self.county = _Named(row["county__name"], prefecture=_Named(row["county__prefecture__name"]))
        self.chain = _Chain(row["chain__status"], _Named(row["chain__chain_type__name"]))
        self.clock = None


def list_orders(queryset, key=None) -> RowValues:
    """An order queryset for the paginator: counted as it is, its slices read as `values(*LIST_FIELDS)` rows made
    ListOrder (no model instances, no select_related); `key`: see RowValues, as for `queryset` being a function
    making the ordered queryset."""
    made = (lambda: queryset().select_related(None)) if callable(queryset) else queryset.select_related(None)
    return RowValues(made, LIST_FIELDS, row=ListOrder, compiled_key=key)


def order_rows(orders, show_clock: bool) -> SafeString:
    """The rows of an order list page, in order."""
    texts = Texts.shared()
    return mark_safe("".join(order_row(order, texts, show_clock) for order in orders))  # noqa: S308 - escaped


# What a matched-orders row reads of an order, as `values()` names, with the `best_score` annotation.
MATCHED_FIELDS = ("pk", "title", "state", "kind", "amount_yuan", "county__name", "chain__name", "best_score")


class MatchedOrder:
    """An order of the matched-orders page built from one `values(*MATCHED_FIELDS)` row; `own_matches` are the
    provider's own matches on it (set by the view)."""

    __slots__ = (
        "amount_yuan",
        "best_score",
        "chain",
        "county",
        "kind",
        "own_matches",
        "pk",
        "state",
        "title",
    )

    def __init__(self, row: dict):
        self.pk, self.title, self.state, self.kind = row["pk"], row["title"], row["state"], row["kind"]
        self.amount_yuan, self.best_score = row["amount_yuan"], row["best_score"]
        self.county, self.chain = _Named(row["county__name"]), _Named(row["chain__name"])
        self.own_matches = []


def matched_orders(build, key, count: int) -> RowValues:
    """The annotated order queryset `build()` makes, for the paginator: counted by the caller, its slices read
    as MatchedOrder, each slice's query compiled once per connection for `key` (RowValues with a compiled_key: `build` is
    called only to compile)."""
    return RowValues(build, MATCHED_FIELDS, row=MatchedOrder, count=count, compiled_key=key)


def matched_row(order, texts: Texts) -> str:
    """One order of the matched-orders page with the provider's matches (`_matched_row.html`)."""
    parts = [
        f'\n  <div class="list-group-item" data-testid="matched-order">\n'
        f'  <div class="d-flex justify-content-between gap-2 flex-wrap">\n'
        f'    <a class="fw-semibold text-break" href="{texts.url(order.pk)}">{escape(order.title)}</a>\n'
        f'    <span class="small text-nowrap">{texts.state(order.state)} <span data-testid="best-score">'
        f"{texts.score} {_ratio(order.best_score)}%</span></span>\n  </div>\n"
        f'  <div class="small text-muted">{texts.kind(order.kind)} · {escape(order.county.name)} · '
        f"{escape(order.chain.name)}",
    ]
    if order.amount_yuan:
        parts.append(
            f' · {texts.amount}{texts.colon}<span data-testid="amount">{_amount(order.amount_yuan)}</span>'
        )
    parts.append('</div>\n  <ul class="small mb-0 ps-3" data-testid="matched-entries">\n  ')
    for m in order.own_matches:
        parts.append(f'\n    <li><span class="fw-semibold">{escape(m.resource_name or m.resource_id)}</span>')
        if m.owner_label:
            parts.append(f' <span class="text-muted">（{escape(m.owner_label)}）</span>')
        if m.is_sample:
            parts.append(
                f' <span class="badge text-bg-warning" data-testid="sample-badge">{texts.sample}</span>'
            )
        parts.append(f' <span class="text-muted">{texts.score} {m.score_percent}%</span>\n      ')
        reasons = render_reasons(m.reasons or [], texts.translate)  # Match.reason_texts
        if reasons:
            parts.append(f'<div class="text-muted">{escape("；".join(reasons))}</div>')
        parts.append("\n    </li>\n  ")
    parts.append("\n  </ul>\n</div>\n\n")
    return "".join(parts)


def _ratio(score) -> str:
    """`{% widthratio score 1 100 %}`: the score as a rounded percentage ("" when it is missing)."""
    if score is None:
        return ""
    try:
        return str(round(float(score) * 100))
    except (TypeError, ValueError):
        return ""


def matched_rows(orders) -> SafeString:
    """The rows of one list of the matched-orders page."""
    texts = Texts.shared()
    return mark_safe("".join(matched_row(order, texts) for order in orders))  # noqa: S308 - escaped


# What a row of 我的响应 reads of a response, as `values()` names (see response_values).
RESPONSE_FIELDS = (
    "order_id",
    "order__title",
    "state",
    "order__county__name",
    "order__chain__name",
    "created_at",
    "reason_category",
    "decision_note",
)
_RESPONSE_CSS = {ProposalState.ACCEPTED: "success", ProposalState.DECLINED: "secondary"}


def response_values(queryset, key=None) -> RowValues:
    """A response queryset for the paginator: counted as it is, its slices read as `values(*RESPONSE_FIELDS)`;
    `key`: see RowValues, as for `queryset` being a function making the queryset (no related selected)."""
    made = queryset if callable(queryset) else queryset.select_related(None)
    return RowValues(made, RESPONSE_FIELDS, row=dict, compiled_key=key)


def response_row(row: dict, texts: Texts) -> str:
    """One response of 我的响应 (the loop body of `my_responses.html`), from a response_values row."""
    state = row["state"]
    declined = ""
    if state == ProposalState.DECLINED:
        note = row["decision_note"]
        declined = (
            f'<div class="small">{escape(choice_label(DeclineReason, row["reason_category"]))}'
            f"{f'{texts.colon}{escape(note)}' if note else ''}</div>"
        )
    return (
        f'\n  <a class="list-group-item list-group-item-action" href="{texts.url(row["order_id"])}">\n'
        f'    <div class="d-flex justify-content-between gap-2"><span class="fw-semibold text-break">'
        f"{escape(row['order__title'])}</span>\n"
        f'      <span class="badge text-bg-{_RESPONSE_CSS.get(state, "info")} align-self-start">'
        f"{escape(choice_label(ProposalState, state))}</span></div>\n"
        f'    <div class="small text-muted">{escape(row["order__county__name"])} · '
        f"{escape(row['order__chain__name'])} · {_date(localtime(row['created_at']))}</div>\n"
        f"    {declined}\n  </a>\n"
    )


def response_rows(responses) -> SafeString:
    """The rows of a 我的响应 page."""
    texts = Texts.shared()
    return mark_safe("".join(response_row(row, texts) for row in responses))  # noqa: S308 - escaped


class InboxTexts:
    """What every message row of the inbox shares: the open URL pattern, the CSRF field and the kind labels."""

    def __init__(self, csrf_token):
        url = reverse("orders:notification_open", args=[_PLACEHOLDER])
        head, tail = url.split(str(_PLACEHOLDER), 1)
        self.url_head, self.url_tail = escape(head), escape(tail)
        token = str(csrf_token) if csrf_token else ""
        self.csrf = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'
            if token not in ("", "NOTPROVIDED")  # as Django's {% csrf_token %}
            else ""
        )
        self._kinds: dict[str, str] = {}
        self._translations: dict[str, str] = {}

    def kind(self, kind: str) -> str:
        """The kind's label (escaped)."""
        label = self._kinds.get(kind)
        if label is None:
            label = self._kinds[kind] = escape(choice_label(NotificationKind, kind))
        return label

    def translate(self, msgid: str) -> str:
        """gettext, remembered for the page (its messages' titles and bodies share a few dozen msgids)."""
        text = self._translations.get(msgid)
        if text is None:
            text = self._translations[msgid] = gettext(msgid)
        return text


# What an inbox row reads of a message, as `values()` names (see inbox_notes).
INBOX_FIELDS = ("pk", "kind", "title", "body", "title_message", "body_message", "created_at", "read_at")


class InboxNote:
    """A message of the inbox built from one `values(*INBOX_FIELDS)` row: what `inbox_row` reads."""

    __slots__ = INBOX_FIELDS

    def __init__(self, row: dict):
        for name in INBOX_FIELDS:
            setattr(self, name, row[name])

    @property
    def display_title(self) -> str:
        """As Notification.display_title."""
        return render(self.title_message, self.title)

    @property
    def display_body(self) -> str:
        """As Notification.display_body."""
        return render(self.body_message, self.body)


def inbox_notes(queryset, key=None) -> RowValues:
    """A message queryset for the paginator: counted as it is, its slices read as InboxNote (no model instances);
    `key`: see RowValues, as for `queryset` being a function making the queryset."""
    return RowValues(queryset, INBOX_FIELDS, row=InboxNote, compiled_key=key)


def inbox_row(note, texts: InboxTexts) -> str:
    """One message of the inbox (the loop body of `inbox.html`)."""
    unread = not note.read_at
    body = (
        f'<div class="small text-break">'
        f"{escape(Truncator(render(note.body_message, note.body, texts.translate)).chars(200))}</div>"
        if note.body
        else ""
    )
    return (
        f'\n  <form method="post" action="{texts.url_head}{note.pk}{texts.url_tail}" '
        f'class="list-group-item{" list-group-item-primary" if unread else ""}">{texts.csrf}\n'
        f'    <button class="btn btn-link p-0 text-start text-decoration-none{" fw-semibold" if unread else ""}" '
        f'type="submit">{escape(render(note.title_message, note.title, texts.translate))}</button>\n'
        f'    <div class="small text-muted">{_minute(note.created_at)} · {texts.kind(note.kind)}</div>\n'
        f"    {body}\n  </form>\n"
    )


def inbox_rows(notes, csrf_token) -> SafeString:
    """The message rows of an inbox page; `csrf_token` the template context's."""
    texts = InboxTexts(csrf_token)
    return mark_safe("".join(inbox_row(note, texts) for note in notes))  # noqa: S308 - escaped


def match_rows(matches, order, can_invite: bool, invited_org_ids, csrf_token) -> SafeString:
    """The matched resources of an order page (the loop of `_matches.html`); `csrf_token` the context's."""
    texts = Texts.shared()
    csrf = InboxTexts(csrf_token).csrf
    invite_url = escape(reverse("orders:invite", args=[order.pk]))
    invited, invite = gettext("已邀请"), gettext("邀请响应")
    types: dict[str, str] = {}
    parts = []
    for m in matches:
        kind = types.get(m.resource_type)
        if kind is None:
            kind = types[m.resource_type] = escape(choice_label(ResourceType, m.resource_type))
        parts.append(
            f'\n    <li class="border-bottom py-2">\n      <div class="d-flex justify-content-between flex-wrap gap-1">\n'
            f'        <span><span class="text-muted">#{m.rank}</span> '
            f"<strong>{escape(m.resource_name or m.resource_id)}</strong>"
        )
        if m.owner_label:
            parts.append(
                f' <span class="text-muted small" data-testid="match-owner">（{escape(m.owner_label)}）</span>'
            )
        parts.append(f' <span class="badge text-bg-light border">{kind}</span>')
        if m.is_sample:
            parts.append(
                f' <span class="badge text-bg-warning" data-testid="sample-badge">{texts.sample}</span>'
            )
        parts.append(
            f'</span>\n        <span class="small">{texts.score} {m.score_percent}%</span>\n      </div>\n      '
        )
        reasons = render_reasons(m.reasons or [], texts.translate)  # Match.reason_texts
        if reasons:
            items = "".join(f"<li>{escape(reason)}</li>" for reason in reasons)
            parts.append(f'<ul class="small text-muted mb-1 ps-3">{items}</ul>')
        parts.append("\n      ")
        if can_invite and m.provider_org_id:
            parts.append("\n        ")
            if _contains(invited_org_ids, m.provider_org_id):
                parts.append(
                    f'<span class="small text-success"><i class="bi bi-check"></i> {invited}</span>\n        '
                )
            else:
                parts.append(
                    f'<form method="post" action="{invite_url}">{csrf}<input type="hidden" name="provider_org" '
                    f'value="{m.provider_org_id}"><button class="btn btn-sm btn-outline-primary" type="submit">'
                    f"{invite}</button></form>"
                )
            parts.append("\n      ")
        parts.append("\n    </li>\n  ")
    return mark_safe("".join(parts))  # noqa: S308 - escaped


def _contains(collection, value) -> bool:
    """The template's `value in collection` (False when the collection cannot be searched)."""
    try:
        return value in collection
    except TypeError:
        return False


def timeline_rows(events) -> SafeString:
    """The entries of an order's timeline (the loop of `_timeline.html`), as the read policy gave them."""
    system = gettext("系统")
    parts = []
    for e in events:
        css = " border-warning" if e.kind == "commented" else (" border-primary" if e.is_transition else "")
        parts.append(
            f'\n  <li class="border-start border-3 ps-2 mb-2{css}">\n'
            f'    <div class="small text-muted">{_minute(e.created_at)}'
        )
        if e.actor_name:
            parts.append(f" · {_escape(e.organization_name or '')} {_escape(e.actor_name)}")
        elif e.by_system:
            parts.append(f" · {system}")
        parts.append(f"</div>\n    <div><strong>{_escape(e.kind_label)}</strong>")
        if e.is_transition:
            parts.append(
                f' <span class="small text-muted">{_escape(e.from_state_label or "—")} → '
                f"{_escape(e.to_state_label)}</span>"
            )
        parts.append("</div>\n    ")
        if e.note:
            parts.append(f'<div class="small text-break">{_escape(e.note)}</div>')
        parts.append("\n  </li>\n")
    return mark_safe("".join(parts))  # noqa: S308 - escaped


def routed_list(routes) -> SafeString:
    """The bodies an order was routed to, list-separated (the loop of `_actions.html`'s 已分派 line)."""
    separator = pgettext("list separator", "、")
    return mark_safe(separator.join(_escape(str(r.body)) for r in routes))  # noqa: S308 - escaped


def invited_list(invitations) -> SafeString:
    """The invited providers with their notes, list-separated (the loop of `_actions.html`'s 已邀请 line)."""
    separator = pgettext("list separator", "、")
    opening, closing = pgettext("opening parenthesis", "（"), pgettext("closing parenthesis", "）")
    return mark_safe(  # noqa: S308 - every value is escaped
        separator.join(
            f"{_escape(str(i.provider_org))}{f'{opening}{_escape(i.note)}{closing}' if i.note else ''}"
            for i in invitations
        )
    )
