"""The order page's match list: structured reasons rendered, and the line saying the list ended early."""

from matchmaking.choices import MatchState, OrderState
from matchmaking.models import Match


def test_the_order_page_says_when_the_list_ended(make_order, drive, personas, login):
    order = drive(make_order(), OrderState.CLAIMED)
    Match.objects.filter(order=order).delete()
    order.__class__.objects.filter(pk=order.pk).update(match_state=MatchState.DONE)
    Match.objects.create(
        order=order,
        resource_type="institution",
        resource_id=1,
        resource_name="东华大学",
        rank=1,
        score=0.8,
        reasons=[{"code": "keywords", "params": {"terms": ["染整", "面料"]}}],
    )
    html = login(personas["county_jinjiang"]).get(order.get_absolute_url()).content.decode()
    assert "关键词：染整、面料" in html and "暂无更多高相关资源" in html
    for rank in range(2, 11):
        Match.objects.create(
            order=order,
            resource_type="institution",
            resource_id=rank,
            resource_name=f"机构{rank}",
            rank=rank,
            score=0.5,
        )
    html = login(personas["county_jinjiang"]).get(order.get_absolute_url()).content.decode()
    assert "暂无更多高相关资源" not in html
