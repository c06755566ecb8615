"""Access to the order pages: each persona against each order page and action (404 outside scope or role).

The order used is 晋江市's innovation order (routed to 省科技厅, open to providers) in the state each action
needs; 罗源县 and 省委金融办 (capital) are outsiders to it. 省工信厅 (body_gxt) is routed innovation orders too:
it sees and may claim them before 省科技厅 does, and is an outsider to what only the taking body may do.
"""

from tests.access import Access, logged_in, only

PROVIDERS = ("bank_cib", "inst_dhu", "firm_demo")
BODIES = ("body_kjt", "body_jrb", "body_gxt")
# Who may open a published, open 晋江 innovation order (省工信厅 also takes innovation orders: routed too).
SEES_PUBLISHED = ("county_jinjiang", "city_quanzhou", "body_kjt", "body_gxt", *PROVIDERS, "admin")


def _order(personas, state="draft", **overrides):
    """Create 晋江's order and walk it (as the personas) to `state`."""
    from matchmaking import services
    from tests.matchmaking.conftest import order_data

    county, body = personas["county_jinjiang"], personas["body_kjt"]
    order = services.create_order(by=county, data=order_data(county, **overrides))
    steps = ["submitted", "published", "claimed", "docking"]
    if state == "draft":
        return order
    services.submit_order(order, by=county)
    if steps.index(state) >= 1:
        services.approve_order(order, by=personas["admin"])
    if steps.index(state) >= 2:
        services.claim_order(order, by=body)
    if steps.index(state) >= 3:
        response = services.respond(order, by=personas["inst_dhu"], proposal="我校可组建团队联合攻关。")
        services.accept_proposal(response, by=county)
    return order


def _pk(state):
    return lambda personas: {"pk": _order(personas, state).pk}


def _pending_response(personas):
    from matchmaking import services

    order = _order(personas, "claimed")
    return {"pk": services.respond(order, by=personas["firm_demo"], proposal="我司可提供中试产线。").pk}


def _attachment(personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from matchmaking import services

    order = _order(personas)
    (attachment,) = services.add_attachments(
        order, by=personas["county_jinjiang"], files=[SimpleUploadedFile("方案.pdf", b"%PDF-1.4 matrix")]
    )
    services.submit_order(order, by=personas["county_jinjiang"])
    services.approve_order(order, by=personas["admin"])
    return {"pk": attachment.pk}


def _notification(personas):
    from matchmaking.models import Notification

    order = _order(personas, "published")
    return {"pk": Notification.objects.filter(recipient=personas["county_jinjiang"], order=order).first().pk}


ACCESS = {
    "orders:list": Access(logged_in()),
    "orders:workbench": Access(logged_in()),
    "orders:county": Access(only("county_jinjiang", "county_luoyuan")),
    "orders:queue": Access(only(*BODIES)),
    "orders:taken": Access(only(*BODIES)),
    "orders:city": Access(only("city_quanzhou")),
    "orders:open": Access(only(*PROVIDERS)),
    "orders:matched": Access(only(*PROVIDERS)),
    "orders:responses": Access(only(*PROVIDERS)),
    "orders:moderation": Access(only("admin")),
    "orders:create": Access(only("county_jinjiang", "county_luoyuan")),
    "orders:detail": Access(only(*SEES_PUBLISHED), kwargs=_pk("published")),
    "orders:edit": Access(only("county_jinjiang", "admin"), kwargs=_pk("draft")),
    "orders:submit": Access(only("county_jinjiang", ok=302), kwargs=_pk("draft"), method="post"),
    # Withdrawing: the confirmation page (GET, or a POST without `confirm`) answers 200, the confirmed POST 302.
    "orders:withdraw": Access(
        only("county_jinjiang", "admin", ok=302), kwargs=_pk("draft"), method="post", data={"confirm": "1"}
    ),
    "orders:moderate": Access(
        only("admin", ok=302), kwargs=_pk("submitted"), method="post", data={"decision": "approve"}
    ),
    "orders:claim": Access(only("body_kjt", "body_gxt", ok=302), kwargs=_pk("published"), method="post"),
    "orders:invite": Access(only("body_kjt", "admin", ok=302), kwargs=_pk("claimed"), method="post"),
    "orders:comment": Access(
        only("county_jinjiang", "city_quanzhou", "body_kjt", "body_gxt", "admin", ok=302),
        kwargs=_pk("published"),
        method="post",
        data={"note": "请加快对接进度"},
    ),
    "orders:respond": Access(only(*PROVIDERS), kwargs=_pk("published")),
    "orders:resolve": Access(only("body_kjt", "admin"), kwargs=_pk("docking")),
    "orders:close": Access(only("body_kjt", "admin"), kwargs=_pk("claimed")),
    # Deciding on a response: the placing county (and administrators, who may act for it).
    "orders:accept": Access(
        only("county_jinjiang", "admin", ok=302), kwargs=_pending_response, method="post"
    ),
    "orders:decline": Access(
        only("county_jinjiang", "admin", ok=302),
        kwargs=_pending_response,
        method="post",
        data={"reason_category": "terms", "note": "条件不符"},
    ),
    "orders:attachment": Access(only(*SEES_PUBLISHED), kwargs=_attachment),
    "orders:inbox": Access(logged_in()),
    "orders:notification_open": Access(only("county_jinjiang", ok=302), kwargs=_notification, method="post"),
    "orders:inbox_read_all": Access(logged_in(302), method="post"),
    "orders:preferences": Access(logged_in()),
    "orders:subscription": Access(only(*BODIES, *PROVIDERS)),
}
