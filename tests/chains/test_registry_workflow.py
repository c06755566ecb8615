"""The declaration workflow (县申报、市审核、省认定): every transition legal and illegal, who may fire it, history,
audit and scope (a county sees and edits its own, its city reviews only its counties, others get nothing)."""

import pytest

from chains import services, workflow
from chains.choices import ChainStatus
from chains.models import ChainEvent, CountyChain
from chains.workflow import ChainWorkflowError
from core.models import AuditEntry

ALL = [s.value for s in ChainStatus]
# action → the statuses it may start from (the transition table, written out again on purpose)
LEGAL_FROM = {
    "submit": {"returned"},
    "review": {"declared"},
    "return": {"declared"},
    "confirm": {"reviewed"},
    "revoke": {"declared", "reviewed", "returned", "confirmed"},
}
TARGET = {
    "submit": "declared",
    "review": "reviewed",
    "return": "returned",
    "confirm": "confirmed",
    "revoke": "revoked",
}


def _chain(status, county_name="思明区", name="思明区测试产业链"):
    from chains.models import ChainType, County

    return CountyChain.objects.create(
        county=County.objects.get(name=county_name),
        chain_type=ChainType.objects.get(code="ai"),
        name=name,
        status=status,
    )


@pytest.fixture
def actors(county_siming, city_xiamen, body_gxt, platform_admin):
    """The party that may fire each action on a 思明区 chain."""
    return {
        "submit": county_siming,
        "review": city_xiamen,
        "return": city_xiamen,
        "confirm": body_gxt,
        "revoke": body_gxt,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(LEGAL_FROM))
@pytest.mark.parametrize("status", ALL)
def test_every_action_from_every_status(actors, action, status):
    chain = _chain(status)
    reason = "材料不全，请补充规上企业名单"
    if status in LEGAL_FROM[action]:
        services.act_on_chain(chain, action, by=actors[action], reason=reason)
        chain.refresh_from_db()
        assert chain.status == TARGET[action]
        event = chain.events.get()
        assert (event.from_status, event.to_status) == (status, TARGET[action])
        assert event.actor == actors[action]
        assert AuditEntry.objects.filter(object_id=str(chain.pk), channel=services.AUDIT_CHANNEL).exists()
        if workflow.TRANSITIONS[action].needs_reason:
            assert chain.status_note == reason and event.note == reason
    else:
        with pytest.raises(ChainWorkflowError) as excinfo:
            services.act_on_chain(chain, action, by=actors[action], reason=reason)
        assert excinfo.value.code == "illegal_transition"
        chain.refresh_from_db()
        assert chain.status == status and not chain.events.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["return", "revoke"])
def test_return_and_revoke_need_a_reason(actors, action):
    chain = _chain("declared")
    with pytest.raises(ChainWorkflowError) as excinfo:
        services.act_on_chain(chain, action, by=actors[action], reason="  ")
    assert excinfo.value.code == "invalid" and "reason" in excinfo.value.errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "status"),
    [("submit", "returned"), ("review", "declared"), ("confirm", "reviewed"), ("revoke", "declared")],
)
def test_wrong_parties_are_refused(action, status, county_siming, county_jinjiang, city_quanzhou, city_xiamen,
                                   body_gxt, body_kjt, body_jrb, bank_cib):  # fmt: skip
    """Only the party in the table: another county or city, a body that does not confirm chains, a provider."""
    rightful = {"submit": county_siming, "review": city_xiamen, "confirm": body_gxt, "revoke": body_gxt}[
        action
    ]
    chain = _chain(status)
    for user in (
        county_siming,
        county_jinjiang,
        city_quanzhou,
        city_xiamen,
        body_gxt,
        body_kjt,
        body_jrb,
        bank_cib,
    ):
        if user == rightful:
            continue
        with pytest.raises(ChainWorkflowError) as excinfo:
            services.act_on_chain(chain, action, by=user, reason="理由")
        assert excinfo.value.code == "forbidden", (action, user.username)
    chain.refresh_from_db()
    assert chain.status == status


@pytest.mark.django_db
def test_administrators_review_confirm_and_revoke_but_do_not_declare(platform_admin, declaration):
    chain = _chain("declared")
    services.review_chain(chain, by=platform_admin)
    services.confirm_chain(chain, by=platform_admin)
    services.revoke_chain(chain, by=platform_admin, reason="合并到其他产业链")
    assert chain.status == "revoked"
    with pytest.raises(ChainWorkflowError) as excinfo:
        services.declare_chain(by=platform_admin, data=declaration)
    assert excinfo.value.code == "forbidden"


@pytest.mark.django_db
def test_the_whole_way_declare_return_submit_review_confirm(
    county_siming, city_xiamen, body_gxt, declaration
):
    chain = services.declare_chain(by=county_siming, data=declaration)
    assert chain.status == "declared" and chain.county.name == "思明区" and chain.source == "declaration"
    assert chain.declared_by == county_siming and chain.is_pending and chain.is_orderable
    assert [link.pk for link in chain.links.all()] == [link.pk for link in declaration["links"]]
    services.return_chain(chain, by=city_xiamen, reason="请补充链主企业")
    assert chain.status == "returned" and not chain.is_orderable
    services.update_declaration(chain, by=county_siming, data={"chain_leader": "李明"})
    services.submit_chain(chain, by=county_siming)
    services.review_chain(chain, by=city_xiamen)
    assert chain.status == "reviewed" and chain.is_pending
    services.confirm_chain(chain, by=body_gxt, data={"name": "思明区软件信息产业链"})
    chain.refresh_from_db()
    assert chain.status == "confirmed" and chain.name == "思明区软件信息产业链" and not chain.is_pending
    kinds = list(chain.events.values_list("kind", flat=True))
    assert kinds == ["declared", "returned", "edited", "submitted", "reviewed", "confirmed", "adjusted"]
    adjusted = chain.events.get(kind="adjusted")
    assert adjusted.changes["name"] == ["思明区软件和信息服务产业链", "思明区软件信息产业链"]
    assert "省工信厅" not in adjusted.actor_label or "福建省工业和信息化厅" in adjusted.actor_label
    assert AuditEntry.objects.filter(object_id=str(chain.pk)).count() == len(kinds)


@pytest.mark.django_db
def test_county_edits_only_while_declared_or_returned(county_siming, city_xiamen, body_gxt, declaration):
    chain = services.declare_chain(by=county_siming, data=declaration)
    services.review_chain(chain, by=city_xiamen)
    with pytest.raises(ChainWorkflowError) as excinfo:
        services.update_declaration(chain, by=county_siming, data={"chain_leader": "李明"})
    assert excinfo.value.code == "forbidden"
    services.update_declaration(chain, by=body_gxt, data={"chain_leader": "李明"})  # the province adjusts
    assert chain.events.last().kind == "adjusted"


@pytest.mark.django_db
def test_declaration_validation(county_siming, declaration):
    from chains.models import ChainLink

    with pytest.raises(ChainWorkflowError) as excinfo:
        services.declare_chain(by=county_siming, data={**declaration, "name": ""})
    assert "name" in excinfo.value.errors
    wrong_link = ChainLink.objects.filter(chain_type__code="tea").first()
    with pytest.raises(ChainWorkflowError) as excinfo:
        services.declare_chain(by=county_siming, data={**declaration, "links": [wrong_link]})
    assert "links" in excinfo.value.errors
    with pytest.raises(ChainWorkflowError) as excinfo:
        services.declare_chain(by=county_siming, data={**declaration, "chain_type": "no-such-type"})
    assert "chain_type" in excinfo.value.errors
    services.declare_chain(by=county_siming, data=declaration)
    with pytest.raises(ChainWorkflowError) as excinfo:
        services.declare_chain(by=county_siming, data=declaration)
    assert "同名" in excinfo.value.errors["name"]
    assert CountyChain.objects.filter(name=declaration["name"]).count() == 1


@pytest.mark.django_db
def test_a_county_declares_a_second_chain_of_a_type_it_already_has(county_jinjiang):
    """One chain per type is no longer the rule: 晋江市 has a textile chain and declares another."""
    chain = services.declare_chain(
        by=county_jinjiang, data={"name": "晋江市运动鞋服产业链", "chain_type": "textile-apparel"}
    )
    assert CountyChain.objects.filter(county__name="晋江市", chain_type__code="textile-apparel").count() == 2
    assert chain.status == "declared"


@pytest.mark.django_db
def test_scope_county_own_city_its_counties_province_all(
    county_siming, county_jinjiang, city_xiamen, city_quanzhou, body_gxt, bank_cib, declaration
):
    from django.contrib.auth.models import AnonymousUser

    chain = services.declare_chain(by=county_siming, data=declaration)
    visible = {
        user: CountyChain.objects.visible_to(user).filter(pk=chain.pk).exists()
        for user in (
            county_siming,
            county_jinjiang,
            city_xiamen,
            city_quanzhou,
            body_gxt,
            bank_cib,
            AnonymousUser(),
        )
    }
    assert visible == {
        county_siming: True,
        county_jinjiang: False,
        city_xiamen: True,
        city_quanzhou: False,
        body_gxt: True,
        bank_cib: False,
        **{u: False for u in visible if not getattr(u, "pk", None)},
    }
    services.review_chain(chain, by=city_xiamen)
    services.confirm_chain(chain, by=body_gxt)
    assert CountyChain.objects.visible_to(county_jinjiang).filter(pk=chain.pk).exists()  # confirmed: public
    assert CountyChain.objects.visible_to(AnonymousUser()).filter(pk=chain.pk).exists()


@pytest.mark.django_db
def test_history_is_append_only(county_siming, declaration):
    from django.core.exceptions import ValidationError

    chain = services.declare_chain(by=county_siming, data=declaration)
    event = chain.events.get()
    event.note = "改写"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        ChainEvent.objects.filter(chain=chain).delete()


@pytest.mark.django_db(transaction=True)
def test_the_next_party_is_notified(county_siming, city_xiamen, body_gxt, declaration):
    """Declared → the city; reviewed → the province; returned, confirmed, revoked → the county."""
    from matchmaking.models import Notification

    def told(user):
        return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))

    chain = services.declare_chain(by=county_siming, data=declaration)
    assert any("待审核" in t for t in told(city_xiamen))
    services.review_chain(chain, by=city_xiamen)
    assert any("待认定" in t for t in told(body_gxt))
    services.confirm_chain(chain, by=body_gxt)
    assert any("已认定" in t for t in told(county_siming))
