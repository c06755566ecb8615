"""The order page reads what it shows in a fixed number of queries per role: the read policy with the responses,
every attachment at once, the action buttons from the rows already loaded."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.scoping import Scope
from matchmaking import policy, services, workflow
from matchmaking.choices import OrderState

ACTIONS = ("submit", "withdraw", "claim", "resolve", "close")


@pytest.mark.django_db
def test_policy_with_responses_is_for_order_and_its_responses(
    make_order, drive, county_jinjiang, inst_dhu, bank_cib, body_kjt, platform_admin
):
    docking = drive(make_order(), OrderState.DOCKING)  # inst_dhu's response accepted
    published = drive(make_order(), OrderState.PUBLISHED)
    for order in (docking, published):
        for user in (county_jinjiang, body_kjt, inst_dhu, bank_cib, platform_admin):
            read, responses = policy.for_order_with_responses(user, order)
            expected = policy.for_order(user, order)
            assert read == expected
            assert responses == list(expected.responses())
    assert policy.for_order_with_responses(inst_dhu, docking)[0].accepted


@pytest.mark.django_db
def test_buttons_from_the_loaded_routes_are_the_workflow_answer(
    make_order, drive, county_jinjiang, body_kjt, body_jrb, platform_admin
):
    for state in (OrderState.DRAFT, OrderState.PUBLISHED, OrderState.CLAIMED):
        order = drive(make_order(), state)
        routed = set(order.routes.values_list("body_id", flat=True))
        for user in (county_jinjiang, body_kjt, body_jrb, platform_admin):
            scope = Scope.for_user(user)
            for action in ACTIONS:
                assert workflow.can(order, action, scope, routed=routed) == workflow.can(order, action, scope)


@pytest.mark.django_db
def test_order_page_query_count_does_not_grow(
    make_order,
    drive,
    login,
    county_jinjiang,
    body_kjt,
    inst_dhu,
    bank_cib,
    firm_demo,
    django_assert_num_queries,
):
    order = drive(make_order(), OrderState.CLAIMED)
    counts = {}
    for round_, provider in enumerate((firm_demo, bank_cib)):
        services.respond(
            order,
            by=provider,
            proposal="我单位可组建团队联合攻关。",
            files=[SimpleUploadedFile(f"方案{round_}.pdf", b"%PDF-1.4 x")],
        )
        services.comment_order(order, by=county_jinjiang, note=f"第{round_}次协调")
        # before: 17, 17 and 14 then 15 (the attachments of the provider's response once it had one)
        for user, queries in ((county_jinjiang, 15), (body_kjt, 16), (bank_cib, 13)):
            client = login(user)
            with django_assert_num_queries(queries) as captured:
                assert client.get(reverse("orders:detail", args=[order.pk])).status_code == 200
            counts.setdefault(user.username, set()).add(len(captured))
    assert all(len(seen) == 1 for seen in counts.values()), counts


@pytest.mark.django_db
def test_order_page_builds_only_the_forms_it_shows(
    make_order, drive, login, county_jinjiang, body_kjt, bank_cib, platform_admin
):
    """No moderation, comment or accept form objects (their markup is in the templates); the decline form's
    reasons only for the county that decides on the responses."""
    order = drive(make_order(), OrderState.PUBLISHED)
    for user, decides in (
        (county_jinjiang, True),
        (body_kjt, False),
        (bank_cib, False),
        (platform_admin, False),
    ):
        context = login(user).get(reverse("orders:detail", args=[order.pk])).context
        for name in ("moderation_form", "comment_form", "accept_form"):
            assert name not in context
        assert (context["decline_form"] is not None) is decides


@pytest.mark.django_db
def test_routed_bodies_with_the_same_time_are_listed_by_id(make_order, drive, platform_admin, client):
    """Routes written together share their time: the 已分派 line lists them in one order (by id), not at random."""
    from chains.models import ProvincialBody
    from matchmaking.models import OrderRoute

    order = drive(make_order(), OrderState.PUBLISHED)
    OrderRoute.objects.filter(order=order).delete()
    bodies = list(ProvincialBody.objects.order_by("pk")[:4])
    routes = OrderRoute.objects.bulk_create(OrderRoute(order=order, body=b) for b in reversed(bodies))
    same = routes[0].routed_at
    OrderRoute.objects.filter(order=order).update(routed_at=same)
    client.force_login(platform_admin, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    line = page.split("已分派", 1)[1].split("</div>", 1)[0]
    by_id = [str(r.body) for r in sorted(routes, key=lambda r: r.pk)]
    assert len(by_id) == 4 and [line.index(name) for name in by_id] == sorted(
        line.index(name) for name in by_id
    )
