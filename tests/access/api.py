"""Access to REST API v1: anonymous → 401; outside scope → 404; visible but not this role's action → 403.

Order fixtures are built through the services (as the personas) inside each persona's rolled-back
transaction: an innovation order of 晋江市 (泉州市), taken by 省科技厅 and answered by 东华大学.
"""

from tests.access import Access, public, rule

LOGGED_IN = rule(200, anonymous=401)


def api_rule(default: int, **overrides: int) -> dict[str, int]:
    """`default` for every persona, 401 for anonymous, overrides by name."""
    return rule(default, anonymous=401, **overrides)


def _order(personas, to_state="draft"):
    """An innovation order of 晋江市 driven along the happy path up to `to_state`."""
    import datetime

    from django.utils import timezone

    from chains.models import CountyChain
    from matchmaking import services

    county = personas["county_jinjiang"]
    chain = CountyChain.objects.filter(county_id=county.organization.county_id).order_by("pk").first()
    order = services.create_order(
        by=county,
        data={
            "kind": "innovation",
            "chain": chain,
            "title": "功能性面料研发攻关需求",
            "description": "本县纺织企业急需抗菌、凉感功能性面料的关键工艺突破，希望与高校院所联合攻关。",
            "tech_field": "纺织材料",
            "expected_outcome": "形成可量产的工艺方案",
            "due_date": timezone.localdate() + datetime.timedelta(days=60),
            "contact_name": "陈主任",
            "contact_phone": "13905950000",
        },
    )
    steps = [
        lambda o: services.submit_order(o, by=county),
        lambda o: services.approve_order(o, by=personas["admin"]),
        lambda o: services.claim_order(o, by=personas["body_kjt"]),
        lambda o: services.accept_proposal(_respond(personas, o), by=county).order,
    ]
    for step in steps:
        if order.state == to_state:
            break
        order = step(order)
        order.refresh_from_db()
    return order


def _respond(personas, order):
    from matchmaking import services

    return services.respond(order, by=personas["inst_dhu"], proposal="我校纺织学院可组建团队联合攻关。")


def order_in(state):
    """kwargs builder: {"pk": id of a fresh order in `state`}."""
    return lambda personas: {"pk": _order(personas, state).pk}


def _response_on_claimed(personas):
    return {"pk": _respond(personas, _order(personas, "claimed")).pk}


def _response_on_published(personas):
    return {"pk": _respond(personas, _order(personas, "published")).pk}


def _jinjiang_notification(personas):
    from matchmaking.models import Notification

    note = Notification.objects.create(
        recipient=personas["county_jinjiang"], kind="published", title="需求已发布"
    )
    return {"pk": note.pk}


def _fresh_throttles(personas):
    """Forget earlier login attempts (throttle counters live in the cache) so the answer is the 400."""
    from django.core.cache import cache

    cache.clear()
    return {}


def _first(model_path):
    def build(personas):
        from django.apps import apps

        return {"pk": apps.get_model(model_path).objects.order_by("pk").first().pk}

    return build


CATALOG = {
    "prefecture": "chains.Prefecture",
    "county": "chains.County",
    "chain-type": "chains.ChainType",
    "chain": "chains.CountyChain",
    "institution": "chains.Institution",
    "enterprise": "chains.Enterprise",
    "fund": "chains.Fund",
    "financial-product": "chains.FinancialProduct",
    "talent-resource": "chains.TalentResource",
    "provincial-body": "chains.ProvincialBody",
}

# Who sees a published innovation order of 晋江市: the county, its city, the routed 省科技厅, administrators
# and (open visibility) every provider; 罗源县 and 省委金融办 (capital only) do not.
OUTSIDE_PUBLISHED = {"county_luoyuan": 404, "body_jrb": 404}
PROVIDERS = ("bank_cib", "inst_dhu", "firm_demo")
# A submitted order: the county, its city and administrators see it.
SUBMITTED_SEEN = ("county_jinjiang", "city_quanzhou", "admin")


def admin_action_on_submitted() -> dict[str, int]:
    """approve/return/reject: the administrator acts, the county and city see it but may not (403)."""
    return api_rule(404, admin=200, county_jinjiang=403, city_quanzhou=403)


def body_action(ok=("body_kjt", "admin")) -> dict[str, int]:
    """Actions of the taking body on a claimed/docking order (visible to providers: open and respondable)."""
    expect = api_rule(403, **OUTSIDE_PUBLISHED)
    expect.update(dict.fromkeys(ok, 200))
    return expect


def _chain_in(status):
    """kwargs builder: a chain 晋江市 declared and walked to `status` (by 泉州市 and the administrator)."""

    def build(personas):
        from chains import services as chain_services

        chain = chain_services.declare_chain(
            by=personas["county_jinjiang"],
            data={"name": "晋江市运动鞋服产业链", "chain_type": "textile-apparel"},
        )
        if status == "returned":
            chain_services.return_chain(chain, by=personas["city_quanzhou"], reason="请补充材料")
        if status == "reviewed":
            chain_services.review_chain(chain, by=personas["city_quanzhou"])
        return {"pk": chain.pk}

    return build


def _white_list_entry(personas):
    from chains.models import CountyChain, Enterprise, ProvincialBody, WhiteListEntry

    chain = CountyChain.objects.get(name="晋江市纺织鞋服产业链")
    entry = WhiteListEntry.objects.create(
        enterprise=Enterprise.objects.filter(chain_type=chain.chain_type).order_by("pk").first(),
        chain=chain,
        year=2025,
        listed_by=ProvincialBody.objects.get(short_name="省委金融办"),
        reason="重点融资支持",
    )
    return {"pk": entry.pk}


# A chain 晋江市 declared: its county, its city (泉州市), the provincial bodies and administrators see it.
CHAIN_PARTIES_SEE = {"county_luoyuan": 404, "bank_cib": 404, "inst_dhu": 404, "firm_demo": 404}


def chain_action(*ok: str) -> dict[str, int]:
    """A declaration action: `ok` may fire it (200), the chain's other parties get 403, others 404."""
    expect = api_rule(403, **CHAIN_PARTIES_SEE)
    expect.update(dict.fromkeys(ok, 200))
    return expect


ACCESS = {
    "api:chain-submit": Access(chain_action("county_jinjiang"), kwargs=_chain_in("returned"), method="post"),
    "api:chain-review": Access(
        chain_action("city_quanzhou", "admin"), kwargs=_chain_in("declared"), method="post"
    ),
    "api:chain-return": Access(
        chain_action("city_quanzhou", "admin"),
        kwargs=_chain_in("declared"),
        method="post",
        data={"reason": "请补充"},
    ),
    # 省级认定: 省工信厅 and administrators; 省科技厅 and 省委金融办 do not confirm.
    "api:chain-confirm": Access(
        chain_action("body_gxt", "admin"), kwargs=_chain_in("reviewed"), method="post"
    ),
    "api:chain-revoke": Access(
        chain_action("body_gxt", "admin"),
        kwargs=_chain_in("declared"),
        method="post",
        data={"reason": "未列入全省清单"},
    ),
    "api:white-list-list": Access(LOGGED_IN),
    "api:white-list-detail": Access(LOGGED_IN, kwargs=_white_list_entry),
    "api-schema": Access(public()),
    "api-docs": Access(public()),
    "api:api-root": Access(LOGGED_IN),
    "api:token": Access(public(400), kwargs=_fresh_throttles, method="post"),  # no credentials: 400
    # Token authentication only: a browser session cannot revoke tokens.
    "api:logout": Access(public(401), method="post"),
    "api:logout-all": Access(public(401), method="post"),
    "api:not-found": Access(
        public(404), kwargs=lambda personas: {"rest": "no-such-endpoint/"}
    ),  # no credentials: 400 for everyone
    **{f"api:{name}-list": Access(LOGGED_IN) for name in CATALOG},
    **{f"api:{name}-detail": Access(LOGGED_IN, kwargs=_first(model)) for name, model in CATALOG.items()},
    "api:order-list": Access(LOGGED_IN),
    "api:order-detail": Access(api_rule(200, **OUTSIDE_PUBLISHED), kwargs=order_in("published")),
    "api:order-submit": Access(
        api_rule(404, county_jinjiang=200, admin=403), kwargs=order_in("draft"), method="post"
    ),
    "api:order-approve": Access(admin_action_on_submitted(), kwargs=order_in("submitted"), method="post"),
    "api:order-return": Access(
        admin_action_on_submitted(),
        kwargs=order_in("submitted"),
        method="post",
        data={"reason": "请补充材料"},
    ),
    "api:order-reject": Access(
        admin_action_on_submitted(),
        kwargs=order_in("submitted"),
        method="post",
        data={"reason": "不属于重点链"},
    ),
    "api:order-withdraw": Access(
        api_rule(403, county_jinjiang=200, admin=200, **OUTSIDE_PUBLISHED),
        kwargs=order_in("published"),
        method="post",
    ),
    "api:order-claim": Access(
        api_rule(403, body_kjt=200, body_gxt=200, **OUTSIDE_PUBLISHED),
        kwargs=order_in("published"),
        method="post",
    ),
    "api:order-resolve": Access(
        body_action(),
        kwargs=order_in("docking"),
        method="post",
        data={"outcome_type": "agreement", "summary": "签订产学研合作协议", "partner": "东华大学"},
    ),
    "api:order-firm-outcomes": Access(
        body_action(), kwargs=order_in("docking"), method="post", data={"splits": []}
    ),
    "api:order-close": Access(
        body_action(), kwargs=order_in("claimed"), method="post", data={"reason": "企业需求已变化"}
    ),
    "api:order-events": Access(api_rule(200, **OUTSIDE_PUBLISHED), kwargs=order_in("published")),
    "api:order-matches": Access(
        api_rule(200, **OUTSIDE_PUBLISHED, **dict.fromkeys(PROVIDERS, 403)), kwargs=order_in("published")
    ),
    "api:order-responses": Access(api_rule(200, **OUTSIDE_PUBLISHED), kwargs=order_in("published")),
    # A response is seen by its provider and by those who see the order (not by other providers).
    "api:response-detail": Access(
        api_rule(200, bank_cib=404, firm_demo=404, **OUTSIDE_PUBLISHED), kwargs=_response_on_published
    ),
    "api:response-accept": Access(
        api_rule(403, county_jinjiang=200, admin=200, bank_cib=404, firm_demo=404, **OUTSIDE_PUBLISHED),
        kwargs=_response_on_claimed,
        method="post",
    ),
    "api:response-decline": Access(
        api_rule(403, county_jinjiang=200, admin=200, bank_cib=404, firm_demo=404, **OUTSIDE_PUBLISHED),
        kwargs=_response_on_claimed,
        method="post",
        data={"reason_category": "terms", "note": "条件不符"},
    ),
    "api:notification-list": Access(LOGGED_IN),
    "api:notification-read": Access(
        api_rule(404, county_jinjiang=200), kwargs=_jinjiang_notification, method="post"
    ),
    "api:notification-read-all": Access(LOGGED_IN, method="post"),
}
