"""列入重点企业白名单 as a matching reason: added by the adapter to matched white-listed firms, never changing
scores or ranks."""

from chains.models import CountyChain, ProvincialBody, WhiteListEntry
from matchmaking import matching
from matchmaking.choices import OrderKind


def test_white_listed_firms_carry_the_reason_and_keep_their_rank(order_factory, settings):
    settings.MATCH_MIN_SCORE = 0.0
    order = order_factory(
        kind=OrderKind.INDUSTRY,
        chain_type="textile-apparel",
        wanted_link="upstream",
        products="再生涤纶长丝；功能性面料",
        title="纺织鞋服产业链上游面料配套需求",
        description="本县鞋服企业需要稳定的功能性面料和再生纤维供应商，希望引进上游配套企业。",
    )
    matching.match_and_store(order.pk)
    before = list(order.matches.order_by("rank").values_list("resource_type", "resource_id", "score"))
    firms = [(pk, score) for rtype, pk, score in before if rtype == "enterprise"]
    assert firms, "the industry order matches catalog firms"
    firm_id = firms[0][0]
    chain = CountyChain.objects.get(name="晋江市纺织鞋服产业链")
    WhiteListEntry.objects.create(
        enterprise_id=firm_id,
        chain=chain,
        year=2025,
        listed_by=ProvincialBody.objects.get(short_name="省委金融办"),
        reason="重点融资支持",
    )
    matching.match_and_store(order.pk)
    after = list(order.matches.order_by("rank").values_list("resource_type", "resource_id", "score"))
    assert after == before  # a reason only
    listed = order.matches.get(resource_type="enterprise", resource_id=firm_id)
    assert {"code": "white_list", "params": {"year": 2025, "chain": "晋江市纺织鞋服产业链"}} in listed.reasons
    assert "列入重点企业白名单（2025 年，晋江市纺织鞋服产业链）" in listed.reason_texts
    others = order.matches.filter(resource_type="enterprise").exclude(resource_id=firm_id)
    assert not any(r.get("code") == "white_list" for m in others for r in m.reasons)
