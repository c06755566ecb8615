"""The read policy in the API: decided per page of orders without a query per order, and the same answer
as the order page for each viewer (the persona × surface content matrix is `tests/test_content_matrix.py`)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from matchmaking import policy, services
from matchmaking.choices import OrderState


def url(name, *args):
    return reverse(f"api:{name}", args=args)


@pytest.mark.django_db
def test_provider_list_decides_the_page_in_one_query(
    api, make_order, drive, inst_dhu, bank_cib, django_assert_max_num_queries
):
    """inst_dhu's response was accepted on every docking order (contact shown), bank_cib's on none."""
    for i in range(12):
        drive(make_order(title=f"第{i}号对接中需求"), OrderState.DOCKING)
    published = drive(make_order(title="尚未接单的需求"), OrderState.PUBLISHED)
    for user, allowed in ((inst_dhu, 12), (bank_cib, 0)):
        with django_assert_max_num_queries(4):  # count, page, handlers, the accepted responses of the page
            rows = api(user).get(url("order-list"), {"page_size": 50}).json()["results"]
        assert len(rows) == 13
        assert sum("contact_phone" in row for row in rows) == allowed
        assert sum("contact_name" in row for row in rows) == allowed
        assert all(row["handler_name"] is None and row["state_note"] == "" for row in rows)
        assert "contact_phone" not in next(row for row in rows if row["id"] == published.pk)


@pytest.mark.django_db
def test_detail_query_count_does_not_grow_with_attachments_and_invitations(
    api, make_order, drive, county_jinjiang, city_quanzhou, inst_dhu, firm_demo, bank_cib, platform_admin,
    django_assert_max_num_queries,
):  # fmt: skip
    order = drive(make_order(), OrderState.PUBLISHED)
    counts = {}
    for round_ in range(2):
        for provider in ((firm_demo,), (bank_cib,))[round_]:
            services.invite_provider(
                order, by=platform_admin, provider_org=provider.organization, note="请响应"
            )
            services.respond(
                order,
                by=provider,
                proposal="我单位可组建团队联合攻关。",
                files=[SimpleUploadedFile(f"方案{round_}.pdf", b"%PDF-1.4 x")],
            )
        for user in (county_jinjiang, city_quanzhou, inst_dhu):
            with django_assert_max_num_queries(6) as captured:
                body = api(user).get(url("order-detail", order.pk)).json()
            counts.setdefault(user.username, set()).add(len(captured))
            if user is inst_dhu:  # a provider that was neither invited nor accepted
                assert body["invitations"] == [] and body["outcome"] is None and "contact_phone" not in body
            else:
                assert len(body["invitations"]) == round_ + 1
    assert all(len(seen) == 1 for seen in counts.values()), counts


@pytest.mark.django_db
def test_policy_for_orders_matches_for_order(
    make_order, drive, county_jinjiang, inst_dhu, bank_cib, body_kjt
):
    docking = drive(make_order(), OrderState.DOCKING)
    published = drive(make_order(), OrderState.PUBLISHED)
    orders = [docking, published]
    for user in (county_jinjiang, body_kjt, inst_dhu, bank_cib):
        batch = policy.for_orders(user, orders)
        assert [batch[o.pk] for o in orders] == [policy.for_order(user, o) for o in orders]
    assert policy.for_order(inst_dhu, docking).contact and not policy.for_order(inst_dhu, published).contact
    assert not policy.for_order(bank_cib, docking).contact
    assert policy.outcome_order_ids(county_jinjiang) is None
    assert policy.outcome_order_ids(inst_dhu) == {docking.pk}
