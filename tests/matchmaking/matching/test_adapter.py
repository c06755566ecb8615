"""The adapter: catalog rows → engine records, the index cached per catalog version, orders → queries."""

from dataclasses import replace

from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from chains.loaders import DATA_DIR
from chains.models import ChainLink, FinancialProduct, Institution
from engine import records_from_csv_dir
from matchmaking import match_index, matching
from matchmaking.choices import OrderKind, ProposalState


def _by_name(resources):
    return {(r.resource_type, r.name): replace(r, key="") for r in resources}


def test_adapter_builds_the_same_records_as_the_csv_loaders(reference):
    db = match_index.catalog_records()
    csv = records_from_csv_dir(DATA_DIR)
    assert len(db.resources) == len(csv.resources) == 391
    assert _by_name(db.resources) == _by_name(csv.resources)
    assert db.chain_types == csv.chain_types
    assert list(db.counties_to_prefecture.items()) == list(csv.counties_to_prefecture.items())
    inst = Institution.objects.get(name="东华大学")
    assert f"institution:{inst.pk}" in {r.key for r in db.resources}


def test_catalog_version_is_one_query_and_follows_changes(reference):
    with CaptureQueriesContext(connection) as ctx:
        before = match_index.catalog_version()
    assert len(ctx.captured_queries) == 1
    assert match_index.catalog_version() == before
    inst = Institution.objects.get(name="东华大学")
    inst.description += "新增非织造材料中试平台。"
    inst.save()
    after_edit = match_index.catalog_version()
    assert after_edit != before
    link = ChainLink.objects.order_by("pk").first()
    link.keywords = link.keywords.replace(link.keyword_list[0], "新" * len(link.keyword_list[0]), 1)
    link.save()  # same length: links carry no timestamp, saving one touches its chain type
    after_link = match_index.catalog_version()
    assert after_link != after_edit
    ChainLink.objects.filter(pk=link.pk).update(keywords=link.keywords + "；冷轧")  # no signal: checksum
    assert match_index.catalog_version() != after_link
    FinancialProduct.objects.filter(name="专精特新贷").delete()
    assert match_index.catalog_version() not in (before, after_edit)


def test_index_built_once_per_version_and_rebuilt_after_a_change(reference):
    match_index.clear_index_cache()
    builds = match_index.BUILDS["count"]
    first = match_index.get_index()
    assert match_index.get_index() is first
    assert match_index.get_index() is first
    assert match_index.BUILDS["count"] == builds + 1
    inst = Institution.objects.get(name="东华大学")
    inst.fields += "；智能可穿戴纺织品"
    inst.save()
    second = match_index.get_index()
    assert second is not first and second.version != first.version
    assert match_index.BUILDS["count"] == builds + 2
    assert "智能可穿戴纺织品" in second.resources[second.key_pos[f"institution:{inst.pk}"]].fields_text


def test_weights_from_settings_reach_the_index_and_its_version(reference, settings):
    match_index.clear_index_cache()
    default = match_index.get_index()
    settings.MATCHING_WEIGHTS = {"geo.same_prefecture": 0.9}
    tuned = match_index.get_index()
    assert tuned is not default
    assert tuned.weights["geo.same_prefecture"] == 0.9
    settings.MATCHING_WEIGHTS = {"no.such.weight": 1.0}
    assert [e.id for e in match_index.check_matching_weights()] == ["matchmaking.E101"]


def test_query_for_order_maps_the_order(order_factory):
    order = order_factory(kind=OrderKind.INDUSTRY, link_name="织造", chain_type="textile-apparel")
    query = matching.query_for_order(order)
    assert query.kind == "industry"
    assert (query.county, query.prefecture, query.chain_type) == ("晋江市", "泉州市", "textile-apparel")
    assert query.link_name == "织造"
    assert query.wanted_direction == "upstream"
    assert "再生涤纶长丝" in query.text and "再生涤纶长丝" in query.keywords
    assert {"功能性面料", "抗菌", "凉感"} <= set(query.keywords)
    assert query.amount_yuan is None and query.declined_keys == frozenset()
    assert query.requester_keys == frozenset()
    capital = matching.query_for_order(order_factory(kind=OrderKind.CAPITAL))
    assert (capital.amount_yuan, capital.financing_type) == (5_000_000, "loan")


def test_outcomes_of_earlier_orders_feed_the_index_without_a_rebuild(order_factory, inst_dhu, bank_cib):
    """Accepted responses (+1), responses declined as irrelevant (-1) and outcome partners (+1) are loaded
    once per change into the index; other declines teach nothing; the index is not rebuilt for them."""
    from django.utils import timezone

    from matchmaking.choices import DeclineReason, OutcomeType
    from matchmaking.models import Outcome, Proposal

    match_index.clear_index_cache()
    first = match_index.get_index()
    builds = match_index.BUILDS["count"]
    earlier = order_factory(title="抗菌面料联合攻关需求")
    Proposal.objects.create(
        order=earlier,
        provider_org=inst_dhu.organization,
        proposal="联合攻关方案",
        state=ProposalState.ACCEPTED,
        decided_at=timezone.now(),
    )
    Proposal.objects.create(
        order=earlier,
        provider_org=bank_cib.organization,
        proposal="贷款方案",
        state=ProposalState.DECLINED,
        reason_category=DeclineReason.IRRELEVANT,
        decided_at=timezone.now(),
    )
    other = order_factory(title="另一需求")
    Proposal.objects.create(
        order=other,
        provider_org=inst_dhu.organization,
        proposal="方案二",
        state=ProposalState.DECLINED,
        reason_category=DeclineReason.TERMS,
    )
    Outcome.objects.create(
        order=other,
        outcome_type=OutcomeType.AGREEMENT,
        partner="江南大学",
        date=timezone.localdate(),
        summary="签约",
    )
    records = match_index.outcome_records()
    dhu = f"institution:{inst_dhu.organization.institution_id}"
    plus = {(r.key, r.name, r.order_title) for r in records if r.polarity > 0}
    assert (dhu, None, "抗菌面料联合攻关需求") in plus
    assert (None, "江南大学", "另一需求") in plus
    minus = {r.key for r in records if r.polarity < 0}
    assert minus and all(k.startswith("financial_product:") for k in minus)
    assert all(r.chain_type == earlier.chain.chain_type.code and r.kind == "innovation" for r in records)
    # swapped into the cached index: same catalog version, no rebuild
    second = match_index.get_index()
    assert second is not first and second.version == first.version
    assert match_index.BUILDS["count"] == builds
    group = second.outcome_groups[(second.chain_pos[earlier.chain.chain_type.code], "innovation")]
    names = {second.resources[p].name for p in group.pos.tolist()}
    assert {"东华大学", "江南大学"} <= names
    assert match_index.get_index() is second
    ranked = {c.name: c for c in matching.rank_order(order_factory())}
    assert any("曾为同类需求成功对接：抗菌面料联合攻关需求" in r for r in ranked["东华大学"].reasons)


def test_provider_orgs_for_institutions_and_bank_products(reference, inst_dhu, bank_cib):
    product = bank_cib.organization.financial_products.order_by("pk").first()
    keys = [f"institution:{inst_dhu.organization.institution_id}", f"financial_product:{product.pk}"]
    other = Institution.objects.exclude(pk=inst_dhu.organization.institution_id).first()
    orgs = matching.provider_orgs_for([*keys, f"institution:{other.pk}"])
    assert orgs == {keys[0]: inst_dhu.organization_id, keys[1]: bank_cib.organization_id}


def test_catalog_stats_are_the_orm_rows_from_sql_compiled_once_per_connection(reference):
    orm = {
        row["label"]: tuple(row[c] for c in match_index.STAT_COLUMNS[1:])
        for row in match_index._catalog_stats_query()
    }
    assert match_index.catalog_stats() == orm
    assert orm["institution"][0] == Institution.objects.count() and orm["chain_type"][2] is not None
    assert ("match_index.catalog_stats", 0) in connections["default"].__dict__["_compiled_queries"]
    FinancialProduct.objects.filter(name="专精特新贷").delete()
    again = match_index.catalog_stats()
    assert again["financial_product"][0] == orm["financial_product"][0] - 1
