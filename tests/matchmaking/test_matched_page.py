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
