"""为我匹配的需求: one row per order sorted by the best score, entries inside, finished orders apart, owners named."""

import pytest
from django.urls import reverse

from chains.models import FinancialProduct
from core.choices import Source
from matchmaking.choices import OrderKind, OrderState
from matchmaking.models import Match

pytestmark = pytest.mark.django_db


def _match(order, org, rank, score, name, resource_type="institution", resource_id=1):
    return Match.objects.create(
        order=order,
        resource_type=resource_type,
        resource_id=resource_id,
        resource_name=name,
        provider_org=org,
        rank=rank,
        score=score,
        reasons=[],
    )


def test_one_row_per_order_sorted_by_best_score_with_finished_orders_apart(
    make_order, drive, personas, login
):
    org = personas["bank_cib"].organization
    low = drive(make_order(kind=OrderKind.CAPITAL, title="低分需求：设备更新贷款"), OrderState.CLAIMED)
    high = drive(make_order(kind=OrderKind.CAPITAL, title="高分需求：技改贷款"), OrderState.PUBLISHED)
    done = drive(make_order(kind=OrderKind.CAPITAL, title="已解决的需求：流动资金贷款"), OrderState.RESOLVED)
    product = FinancialProduct.objects.create(
        name="测试科技贷（示例）", provider="兴业银行", product_type="loan", source=Source.SAMPLE
    )
    _match(low, org, 1, 0.38, "甲贷")
    _match(high, org, 2, 0.91, "乙贷")
    _match(high, org, 3, 0.73, product.name, "financial_product", product.pk)
    _match(done, org, 1, 0.99, "丙贷")

    page = login(personas["bank_cib"]).get(reverse("orders:matched")).content.decode()
    active, finished = page.split('data-testid="matched-done"')
    assert active.count('data-testid="matched-order"') == 2  # one row per order, not per matched product
    assert active.index("高分需求") < active.index("低分需求")  # sorted by the best score
    assert "91%" in active and "已发布" in active and "已接单" in active  # state shown
    assert "测试科技贷（示例）" in active and "（兴业银行）" in active  # the product names its bank
    assert 'data-testid="sample-badge"' in active  # a badge, not a reason
    assert "已解决的需求" in finished and "已解决的需求" not in active and "已解决" in finished
    assert 'data-testid="amount"' in active


def test_matched_page_queries_do_not_grow_with_rows(
    make_order, drive, personas, login, django_assert_num_queries
):
    org = personas["inst_dhu"].organization
    client = login(personas["inst_dhu"])

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("orders:matched")).status_code == 200
        return len(ctx.captured_queries)

    _match(drive(make_order(), OrderState.CLAIMED), org, 1, 0.5, "东华大学")
    _match(drive(make_order(), OrderState.RESOLVED), org, 1, 0.5, "东华大学")
    count()  # the first request refreshes the session
    few = count()
    for i in range(4):
        order = drive(make_order(), OrderState.RESOLVED if i % 2 else OrderState.CLAIMED)
        _match(order, org, 1, 0.5 + i / 10, "东华大学")
        _match(order, org, 2, 0.4, "东华大学纺织学院", resource_id=2)
    with django_assert_num_queries(few):
        assert client.get(reverse("orders:matched")).status_code == 200


def test_matched_rows_are_those_of_the_former_model_query(make_order, drive, personas, login):
    """The page read as values with a best-score subquery shows the rows the former annotated model query did."""
    from django.db.models import Max, Prefetch, Q

    from matchmaking import match_labels, policy, rows
    from matchmaking.models import FINAL, Order

    user = personas["bank_cib"]
    org = user.organization
    made = [
        drive(make_order(kind=OrderKind.CAPITAL, title=f"需求 {n} <b>&"), state)
        for n, state in enumerate([OrderState.PUBLISHED, OrderState.CLAIMED, OrderState.RESOLVED])
    ]
    for n, order in enumerate(made):
        for i in range(n + 1):
            _match(order, org, i + 1, 0.3 + 0.2 * i + 0.05 * n, f"贷 {i}", resource_id=i + 1)
    page = login(user).get(reverse("orders:matched")).content.decode()
    own = policy.own_matches(user)
    former = (
        Order.objects.filter(pk__in=own.values("order_id"))
        .with_list_relations()
        .annotate(best_score=Max("matches__score", filter=Q(matches__provider_org_id=org.pk)))
        .prefetch_related(Prefetch("matches", queryset=own.order_by("-score", "rank"), to_attr="own_matches"))
        .order_by("-best_score", "-created_at", "-pk")
    )
    for part in (former.exclude(state__in=FINAL), former.filter(state__in=FINAL)):
        orders = list(part)
        match_labels.label_matches(m for order in orders for m in order.own_matches)
        assert orders and rows.matched_rows(orders) in page


def _orm_fetch(key, build, value, using="default"):
    """compiledsql.fetch without the compiled plans: what the ORM runs for `build(value)`."""
    return list(build(value))


def test_compiled_matched_page_is_the_orm_page(make_order, drive, personas, login, monkeypatch):
    """The page's queries compiled once per scope (core.compiledsql, RowValues with a compiled_key) give byte for byte the
    HTML of the same queries run by the ORM, on every page of both lists, in both languages, and still after
    the plans exist (other pages, other numbers of shown orders, new matches)."""
    import re

    from core import compiledsql
    from matchmaking.views import lists

    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    user = personas["bank_cib"]
    org = user.organization
    states = [OrderState.PUBLISHED, OrderState.CLAIMED, OrderState.RESOLVED] * 2 + [OrderState.PUBLISHED]
    for n, state in enumerate(states):
        order = drive(make_order(kind=OrderKind.CAPITAL, title=f"需求 {n} <b>&"), state)
        for i in range(n % 3 + 1):
            _match(order, org, i + 1, 0.3 + 0.1 * i + 0.03 * n, f"贷 {i}", resource_id=i + 1)
    client = login(user)
    queries = [
        "",
        "?page=2",
        "?page=3",
        "?page=9",
        "?page=x",
        "?done_page=2",
        "?done_page=3",
        "?page=2&done_page=2",
    ]

    def pages(lang):
        client.cookies["django_language"] = lang
        got = []
        for query in queries:
            response = client.get(reverse("orders:matched") + query)
            assert response.status_code == 200
            got.append(re.sub(r'value="[A-Za-z0-9]{64}"', "", response.content.decode()))
        return got

    for lang in ("zh-hans", "en"):
        compiled, again = pages(lang), pages(lang)  # compiling, then replaying the plans
        with monkeypatch.context() as m:
            m.setattr(compiledsql, "fetch", _orm_fetch)
            orm = pages(lang)
        assert compiled == orm and again == orm
    # a new matched order after the plans exist: on the page as the ORM shows it
    _match(drive(make_order(title="新需求：设备贷款"), OrderState.CLAIMED), org, 1, 0.99, "新贷")
    compiled = pages("zh-hans")
    with monkeypatch.context() as m:
        m.setattr(compiledsql, "fetch", _orm_fetch)
        assert compiled == pages("zh-hans")
    assert "新需求" in compiled[0]


def test_compiled_row_values_slices_are_those_of_row_values(make_order, drive):
    """RowValues with a compiled_key reads each slice as without (rows and row class), any index too."""
    from core.pagination import RowValues
    from matchmaking.models import Order

    for n in range(5):
        make_order(title=f"需求 {n}")
    queryset = Order.objects.order_by("-pk")
    names = ("pk", "title", "county__name")
    plain, compiled = (
        RowValues(queryset, names),
        RowValues(lambda: queryset, names, compiled_key=("test", "rows")),
    )
    for bounds in [(0, 2), (2, 4), (4, 6), (0, 0), (0, 2)]:
        assert compiled[slice(*bounds)] == list(plain[slice(*bounds)])
    assert compiled[1] == plain[1]
    assert compiled.count() == plain.count() == 5
    as_tuple = RowValues(
        lambda: queryset, names, compiled_key=("test", "tuples"), row=lambda r: tuple(r.values())
    )
    assert as_tuple[0:3] == [tuple(r.values()) for r in plain[0:3]]


def test_compiled_row_values_build_only_to_compile(make_order):
    """The queryset is built when a slice's query is compiled, not when its plan exists; unordered, refused."""
    from core.pagination import RowValues
    from matchmaking.models import Order

    make_order(title="需求 甲乙丙")
    built = []

    def build():
        built.append(1)
        return Order.objects.order_by("-pk")

    for _ in range(3):
        rows = RowValues(build, ("pk",), compiled_key=("test", "built"), count=1)
        assert rows[0:20] == [{"pk": Order.objects.get().pk}]
    assert len(built) == 1
    with pytest.raises(ValueError):
        RowValues(lambda: Order.objects.order_by(), ("pk",), compiled_key=("test", "unordered"))[0:2]
