"""The order list rows, the matched-order rows and the inbox rows built in Python (matchmaking.rows) are, character for
character, what the templates they replace rendered: every state, kind, chain status, clock, amount, body and
escaping case, in both languages."""

import datetime
import itertools

import pytest
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.html import escape

from chains.choices import ChainStatus
from chains.models import ChainType, County, CountyChain, Prefecture, ProvincialBody
from matchmaking import rows, sla
from matchmaking.choices import NotificationKind, OrderKind, OrderState
from matchmaking.models import Match, Notification, Order

# The loop of order_list.html as it was before matchmaking.rows.
ORDER_LIST_LOOP = """{% load i18n orders_tags %}{% for order in page %}
  <a class="list-group-item list-group-item-action py-3" href="{{ order.get_absolute_url }}" data-testid="order-row">
    <div class="d-flex justify-content-between gap-2">
      <div class="fw-semibold text-break">{{ order.title }}{% if order.is_sample %} <span class="badge text-bg-warning">{% translate "示例" %}</span>{% endif %}</div>
      <div class="text-nowrap">{% include "matchmaking/_state.html" %}</div>
    </div>
    <div class="small text-muted mt-1">
      <span class="badge text-bg-light border">{{ order.get_kind_display }}</span>
      {{ order.county.prefecture.name }} · {{ order.county.name }} · {{ order.chain.chain_type.name }}{% include "matchmaking/_chain_mark.html" with chain=order.chain %}
      {% if order.amount_yuan %} · {{ order.amount_yuan|wan }}{% endif %}
      · {% translate "期望" %} {{ order.due_date|date:"Y-m-d" }}
      {% if order.claimed_by_body %} · {% translate "接单" %}{% translate "：" context "label separator" %}{{ order.claimed_by_body }}{% endif %}
    </div>
    {% if show_clock and order.clock %}<div class="small mt-1 text-{{ order.clock.css }}"><i class="bi bi-clock"></i> {{ order.clock.label }}{% translate "：" context "label separator" %}{{ order.clock.deadline|date:"Y-m-d H:i" }}{% if order.clock.overdue %}{% translate "（" context "opening parenthesis" %}{% translate "已超时" %}{% translate "）" context "closing parenthesis" %}{% endif %}</div>{% endif %}
  </a>
{% endfor %}"""

# matched.html's loop over the former _matched_row.html.
MATCHED_LOOP = """{% load i18n orders_tags %}{% for order in page %}
  <div class="list-group-item" data-testid="matched-order">
  <div class="d-flex justify-content-between gap-2 flex-wrap">
    <a class="fw-semibold text-break" href="{{ order.get_absolute_url }}">{{ order.title }}</a>
    <span class="small text-nowrap">{% include "matchmaking/_state.html" %} <span data-testid="best-score">{% translate "匹配度" %} {% widthratio order.best_score 1 100 %}%</span></span>
  </div>
  <div class="small text-muted">{{ order.get_kind_display }} · {{ order.county.name }} · {{ order.chain.name }}{% if order.amount_yuan %} · {% translate "金额" %}{% translate "：" context "label separator" %}<span data-testid="amount">{{ order.amount_yuan|wan }}</span>{% endif %}</div>
  <ul class="small mb-0 ps-3" data-testid="matched-entries">
  {% for m in order.own_matches %}
    <li><span class="fw-semibold">{{ m.resource_name|default:m.resource_id }}</span>{% if m.owner_label %} <span class="text-muted">（{{ m.owner_label }}）</span>{% endif %}{% if m.is_sample %} <span class="badge text-bg-warning" data-testid="sample-badge">{% translate "示例" %}</span>{% endif %} <span class="text-muted">{% translate "匹配度" %} {{ m.score_percent }}%</span>
      {% with reasons=m.reason_texts %}{% if reasons %}<div class="text-muted">{{ reasons|join:"；" }}</div>{% endif %}{% endwith %}
    </li>
  {% endfor %}
  </ul>
</div>

{% endfor %}"""

NASTY = "A & B <i>\"x\"</i> 'y'"


def orders():
    """Unsaved orders covering every state, kind, chain status, amount, body, sample flag and clock case."""
    prefecture = Prefecture(pk=1, name=f"泉州市{NASTY}")
    county = County(pk=2, name="晋江市<县>", prefecture=prefecture)
    chain_type = ChainType(pk=3, code="t", name="纺织&服装")
    body = ProvincialBody(pk=4, name='省科技厅 "甲"', short_name="科技厅")
    now = timezone.now()
    made = []
    combos = itertools.product(
        [*OrderState.values, "unknown"], [ChainStatus.CONFIRMED, ChainStatus.DECLARED, ChainStatus.REVOKED]
    )
    for n, (state, status) in enumerate(combos):
        chain = CountyChain(pk=5, county=county, chain_type=chain_type, name=f"链 {NASTY}", status=status)
        order = Order(
            pk=100 + n,
            title=f"需求 {n} {NASTY}",
            kind=[*OrderKind.values, "odd"][n % 5],
            state=state,
            county=county,
            chain=chain,
            amount_yuan=[None, 0, 5000, 5_000_000, 123_456_789][n % 5],
            due_date=None if n % 7 == 0 else datetime.date(2027, 1 + n % 12, 1 + n % 28),
            is_sample=n % 3 == 0,
            claimed_by_body=body if n % 2 else None,
            published_at=now - datetime.timedelta(days=n % 9),
            claim_due_at=now + datetime.timedelta(days=(n % 9) - 4, minutes=n),
            claimed_at=now - datetime.timedelta(days=n % 20),
        )
        order.clock = sla.clock(order) if n % 4 else None
        order.best_score = [None, 0.0, 0.123, 0.5, 0.875, 1.0][n % 6]
        order.own_matches = [_match(order, n, i) for i in range(n % 4)]
        made.append(order)
    return made


def _match(order, n, i):
    match = Match(
        order=order,
        resource_type="institution",
        resource_id=1000 + i,
        resource_name="" if (n + i) % 3 == 0 else f"资源 {NASTY}",
        rank=i + 1,
        score=[0.0, 0.333, 0.5049, 0.995][(n + i) % 4],
        reasons=[]
        if (n + i) % 2
        else [
            f"理由 {NASTY}",
            {"code": "text", "params": {"text": "文本<b>"}},
            {"code": "keywords", "params": {"terms": ["面料", "抗菌<"]}},
            {"code": "amount_max", "params": {"max": 5_000_000}},
            {"code": "fund_stage", "params": {"stage": "venture"}},
            {"code": "geo_county", "params": {}},
        ],
    )
    match.owner_label = "" if i % 2 else f"银行 {NASTY}"
    match.is_sample = (n + i) % 2 == 0
    return match


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("show_clock", [True, False])
def test_order_rows_are_the_template_markup(language, show_clock):
    page = orders()
    with translation.override(language):
        expected = Template(ORDER_LIST_LOOP).render(Context({"page": page, "show_clock": show_clock}))
        assert rows.order_rows(page, show_clock) == expected
    assert "已超时" in expected or language == "en" or not show_clock
    assert 'data-testid="chain-pending"' in expected and 'data-testid="chain-revoked-mark"' in expected


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_matched_rows_are_the_template_markup(language):
    page = orders()
    with translation.override(language):
        expected = Template(MATCHED_LOOP).render(Context({"page": page}))
        assert rows.matched_rows(page) == expected
    assert 'data-testid="sample-badge"' in expected and "&lt;b&gt;" in expected


def test_no_rows_is_empty():
    assert rows.order_rows([], True) == "" and rows.matched_rows([]) == ""


# The loop of inbox.html as it was before matchmaking.rows.
INBOX_LOOP = """{% load i18n %}{% for n in page %}
  <form method="post" action="{% url 'orders:notification_open' n.pk %}" class="list-group-item{% if not n.read_at %} list-group-item-primary{% endif %}">{% csrf_token %}
    <button class="btn btn-link p-0 text-start text-decoration-none{% if not n.read_at %} fw-semibold{% endif %}" type="submit">{{ n.display_title }}</button>
    <div class="small text-muted">{{ n.created_at|date:"Y-m-d H:i" }} · {{ n.get_kind_display }}</div>
    {% if n.body %}<div class="small text-break">{{ n.display_body|truncatechars:200 }}</div>{% endif %}
  </form>
{% endfor %}"""


def notifications():
    """Unsaved messages: read and unread, every kind, coded and plain titles, short, long and no bodies."""
    made = []
    for n, kind in enumerate([*NotificationKind.values, "odd"] * 2):
        made.append(
            Notification(
                pk=500 + n,
                kind=kind,
                title=f"标题 {n} {NASTY}",
                title_message={"code": "需求“%(title)s”已发布", "params": {"title": NASTY}} if n % 2 else {},
                body=["", "正文 <b>&</b>", "长" * 150 + NASTY * 10][n % 3],
                body_message={},
                created_at=timezone.now() - datetime.timedelta(hours=n * 7, minutes=n),
                read_at=timezone.now() if n % 3 == 0 else None,
            )
        )
    return made


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("token", ["a-token<>", "NOTPROVIDED", None])
def test_inbox_rows_are_the_template_markup(language, token):
    page = notifications()
    with translation.override(language):
        expected = Template(INBOX_LOOP).render(Context({"page": page, "csrf_token": token}))
        assert rows.inbox_rows(page, token) == expected
    assert ("csrfmiddlewaretoken" in expected) is (token == "a-token<>")
    assert escape("长" * 150 + NASTY * 10) not in expected and "&lt;b&gt;" in expected  # truncated, escaped


# The loop of _matches.html as it was before matchmaking.rows.
MATCHES_LOOP = """{% load i18n %}{% for m in matches %}
    <li class="border-bottom py-2">
      <div class="d-flex justify-content-between flex-wrap gap-1">
        <span><span class="text-muted">#{{ m.rank }}</span> <strong>{{ m.resource_name|default:m.resource_id }}</strong>{% if m.owner_label %} <span class="text-muted small" data-testid="match-owner">（{{ m.owner_label }}）</span>{% endif %} <span class="badge text-bg-light border">{{ m.get_resource_type_display }}</span>{% if m.is_sample %} <span class="badge text-bg-warning" data-testid="sample-badge">{% translate "示例" %}</span>{% endif %}</span>
        <span class="small">{% translate "匹配度" %} {{ m.score_percent }}%</span>
      </div>
      {% with reasons=m.reason_texts %}{% if reasons %}<ul class="small text-muted mb-1 ps-3">{% for reason in reasons %}<li>{{ reason }}</li>{% endfor %}</ul>{% endif %}{% endwith %}
      {% if can_invite and m.provider_org_id %}
        {% if m.provider_org_id in invited_org_ids %}<span class="small text-success"><i class="bi bi-check"></i> {% translate "已邀请" %}</span>
        {% else %}<form method="post" action="{% url 'orders:invite' order.pk %}">{% csrf_token %}<input type="hidden" name="provider_org" value="{{ m.provider_org_id }}"><button class="btn btn-sm btn-outline-primary" type="submit">{% translate "邀请响应" %}</button></form>{% endif %}
      {% endif %}
    </li>
  {% endfor %}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("can_invite", "invited"), [(True, {7, 9}), (True, None), (False, {7})])
def test_match_rows_are_the_template_markup(language, can_invite, invited):
    order = orders()[5]
    matches = [_match(order, n, i) for n in range(4) for i in range(3)]
    for k, m in enumerate(matches):
        m.rank = k + 1
        m.resource_type = ["institution", "financial_product", "fund", "talent_resource", "odd"][k % 5]
        m.provider_org_id = [None, 7, 8, 9][k % 4]
    context = {"matches": matches, "order": order, "can_invite": can_invite, "invited_org_ids": invited}
    with translation.override(language):
        expected = Template(MATCHES_LOOP).render(Context({**context, "csrf_token": "tok"}))
        assert rows.match_rows(matches, order, can_invite, invited, "tok") == expected
    assert ("邀请响应" in expected or "Invite" in expected) is can_invite


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_list_rows_read_as_values_are_the_model_rows(language):
    """The list pages' rows read as values (rows.list_orders) are those of the orders read as model instances."""
    made = orders()
    county, body = made[0].county, made[1].claimed_by_body
    county.prefecture.save()
    county.save()
    made[0].chain.chain_type.save()
    body.save()
    chains = {}
    for order in made:
        chain = chains.get(order.chain.status)
        if chain is None:
            chain = order.chain
            chain.pk = None
            chain.name = f"{chain.name} {chain.status}"
            chain.save()
            chains[chain.status] = chain
        order.chain = chain
    Order.objects.bulk_create(made)
    queryset = Order.objects.filter(pk__in=[o.pk for o in made]).order_by("-created_at", "-pk")
    now = timezone.now()
    models_read = list(queryset.with_list_relations())
    values_read = rows.list_orders(queryset.with_list_relations())[0 : len(made)]
    assert [o.pk for o in values_read] == [o.pk for o in models_read] and len(values_read) == len(made)
    assert rows.list_orders(queryset).count() == len(made)
    for order in [*models_read, *values_read]:
        order.clock = sla.clock(order, now)
    with translation.override(language):
        for show_clock in (True, False):
            html = rows.order_rows(values_read, show_clock)
            assert html == rows.order_rows(models_read, show_clock)
            assert 'data-testid="chain-pending"' in html and "科技厅" in html


# The loop of my_responses.html as it was before matchmaking.rows (its {% empty %} is kept by the page).
RESPONSES_LOOP = """{% load i18n %}{% for r in page %}
  <a class="list-group-item list-group-item-action" href="{{ r.order.get_absolute_url }}">
    <div class="d-flex justify-content-between gap-2"><span class="fw-semibold text-break">{{ r.order.title }}</span>
      <span class="badge text-bg-{% if r.state == 'accepted' %}success{% elif r.state == 'declined' %}secondary{% else %}info{% endif %} align-self-start">{{ r.get_state_display }}</span></div>
    <div class="small text-muted">{{ r.order.county.name }} · {{ r.order.chain.name }} · {{ r.created_at|date:"Y-m-d" }}</div>
    {% if r.state == "declined" %}<div class="small">{{ r.get_reason_category_display }}{% if r.decision_note %}{% translate "：" context "label separator" %}{{ r.decision_note }}{% endif %}</div>{% endif %}
  </a>
{% endfor %}"""


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_response_rows_are_the_template_markup(language, make_order, personas):
    """我的响应's rows read as values are what the former loop rendered of the model instances."""
    from matchmaking.choices import DeclineReason, ProposalState
    from matchmaking.models import Proposal

    org = personas["bank_cib"].organization
    cases = [
        (ProposalState.PENDING, "", ""),
        (ProposalState.ACCEPTED, "", ""),
        (ProposalState.DECLINED, DeclineReason.values[0], f"说明 {NASTY}"),
        (ProposalState.DECLINED, DeclineReason.values[-1], ""),
        (ProposalState.DECLINED, "", ""),
        ("odd", "", ""),
    ]
    Proposal.objects.bulk_create(
        Proposal(
            order=make_order(title=f"需求标题 {n} {NASTY}"),
            provider_org=org,
            proposal="方案内容足够长的文字。",
            state=state,
            reason_category=reason,
            decision_note=note,
        )
        for n, (state, reason, note) in enumerate(cases)
    )
    queryset = Proposal.objects.filter(provider_org=org).order_by("-created_at", "-pk")
    models_read = list(queryset.select_related("order__county", "order__chain"))
    values_read = rows.response_values(queryset)[0:20]
    assert len(values_read) == len(cases) and rows.response_values(queryset).count() == len(cases)
    with translation.override(language):
        expected = Template(RESPONSES_LOOP).render(Context({"page": models_read}))
        assert rows.response_rows(values_read) == expected
    assert "&lt;i&gt;" in expected and "text-bg-success" in expected and "text-bg-secondary" in expected


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_inbox_rows_read_as_values_are_the_model_rows(language, personas):
    """The inbox's messages read as values (rows.inbox_notes) render as the model instances did."""
    user = personas["bank_cib"]
    made = notifications()
    for note in made:
        note.pk, note.recipient = None, user
    Notification.objects.bulk_create(made)
    queryset = Notification.objects.filter(recipient=user)
    models_read = list(queryset)
    values_read = rows.inbox_notes(queryset)[0 : len(made)]
    assert [n.pk for n in values_read] == [n.pk for n in models_read] and len(values_read) == len(made)
    assert rows.inbox_notes(queryset).count() == len(made)
    with translation.override(language):
        html = rows.inbox_rows(values_read, "a-token")
        assert html == rows.inbox_rows(models_read, "a-token")
    assert "list-group-item-primary" in html and "&lt;b&gt;" in html


# The loop of _timeline.html as it was before matchmaking.rows.
TIMELINE_LOOP = """{% load i18n %}{% for e in events %}
  <li class="border-start border-3 ps-2 mb-2{% if e.kind == "commented" %} border-warning{% elif e.is_transition %} border-primary{% endif %}">
    <div class="small text-muted">{{ e.created_at|date:"Y-m-d H:i" }}{% if e.actor_name %} · {{ e.organization_name|default:"" }} {{ e.actor_name }}{% elif e.by_system %} · {% translate "系统" %}{% endif %}</div>
    <div><strong>{{ e.kind_label }}</strong>{% if e.is_transition %} <span class="small text-muted">{{ e.from_state_label|default:"—" }} → {{ e.to_state_label }}</span>{% endif %}</div>
    {% if e.note %}<div class="small text-break">{{ e.note }}</div>{% endif %}
  </li>
{% endfor %}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_timeline_rows_are_the_template_markup(language):
    from matchmaking.policy import TimelineEntry

    at = timezone.make_aware(datetime.datetime(2026, 3, 4, 23, 59), datetime.UTC)
    events = [
        TimelineEntry(
            id=n,
            kind=kind,
            kind_label=f"<{kind}>",
            from_state=from_state,
            from_state_label=from_state and f"从{from_state}",
            to_state=to_state,
            to_state_label=to_state and f"到&{to_state}",
            is_transition=bool(to_state) and from_state != to_state,
            note=note,
            actor_name=actor,
            organization_name=org,
            by_system=system,
            created_at=at + datetime.timedelta(hours=n),
        )
        for n, (kind, from_state, to_state, note, actor, org, system) in enumerate(
            itertools.product(
                ["commented", "submitted", "claimed"],
                ["", "draft"],
                ["", "draft", "submitted"],
                ["", "说明 <b>&"],
                [None, "", "张三<x>"],
                [None, "", "科技厅&"],
                [True, False],
            )
        )
    ]
    with translation.override(language):
        expected = Template(TIMELINE_LOOP).render(Context({"events": events}))
        assert rows.timeline_rows(events) == expected
        assert rows.timeline_rows([]) == Template(TIMELINE_LOOP).render(Context({"events": []}))


# The loops of _actions.html's 已分派 and 已邀请 lines before matchmaking.rows.
ROUTES_LOOP = """{% load i18n %}{% for r in routes %}{{ r.body }}{% if not forloop.last %}{% translate "、" context "list separator" %}{% endif %}{% endfor %}"""
INVITATIONS_LOOP = """{% load i18n %}{% for i in invitations %}{{ i.provider_org }}{% if i.note %}{% translate "（" context "opening parenthesis" %}{{ i.note }}{% translate "）" context "closing parenthesis" %}{% endif %}{% if not forloop.last %}{% translate "、" context "list separator" %}{% endif %}{% endfor %}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("count", [0, 1, 3])
def test_routed_and_invited_lists_are_the_template_markup(language, count):
    from types import SimpleNamespace

    from accounts.models import Organization
    from matchmaking.models import Invitation, OrderRoute

    routes = [
        OrderRoute(body=ProvincialBody(name=f"省厅 {n} {NASTY}", short_name=NASTY if n % 2 else ""))
        for n in range(count)
    ]
    invitations = [
        Invitation(provider_org=Organization(name=f"机构 {n} {NASTY}"), note="" if n % 2 else f"说明 {NASTY}")
        for n in range(count)
    ]
    with translation.override(language):
        context = Context({"routes": routes, "invitations": invitations})
        assert rows.routed_list(routes) == Template(ROUTES_LOOP).render(context)
        assert rows.invited_list(invitations) == Template(INVITATIONS_LOOP).render(context)
        assert rows.routed_list([SimpleNamespace(body=NASTY)]) == escape(NASTY)
    if count == 3:
        assert "&lt;i&gt;" in rows.invited_list(invitations)


def test_shared_texts_are_per_language_and_rows_follow_the_language():
    """Texts.shared() is made once per language: rows rendered in turn in each language stay the template's."""
    page = orders()
    with translation.override("en"):
        assert rows.Texts.shared() is rows.Texts.shared()
        english = rows.Texts.shared()
    with translation.override("zh-hans"):
        assert rows.Texts.shared() is not english
    for language in ["zh-hans", "en", "zh-hans", "en"]:
        with translation.override(language):
            expected = Template(ORDER_LIST_LOOP).render(Context({"page": page, "show_clock": True}))
            assert rows.order_rows(page, True) == expected


def test_rows_escape_is_djangos():
    for value in [NASTY, "a&b<c>\"d'e", 12, "", "县域 · 示例"]:
        assert rows.escape(value) == escape(value)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_inbox_rows_with_coded_bodies_are_the_template_markup(language):
    """Titles and bodies rendered from codes with translated and list parameters (the page's gettext memo)."""
    page = notifications()
    for n, note in enumerate(page):
        note.body = f"正文 {n}"
        note.body_message = {
            "code": "需求“%(title)s”已由%(body)s接单",
            "params": {"title": NASTY, "body": [{"t": "已发布"}, {"t": "待审核"}, f"部门 {n}"]},
        }
        note.title_message = {"code": "需求“%(title)s”已发布", "params": {"title": {"t": "示例"}}}
    with translation.override(language):
        expected = Template(INBOX_LOOP).render(Context({"page": page, "csrf_token": "t"}))
        assert rows.inbox_rows(page, "t") == expected
