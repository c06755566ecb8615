"""XLSX exports of 揭榜挂帅: a list's challenges, a challenge's bids (publisher, after the deadline) and its reviews
with the aggregates. Rows come through `visible_to` and what a bid shows through `policy`, as on the pages."""

from datetime import datetime
from io import BytesIO

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from challenges import policy
from challenges.models import Bid, Review
from challenges.review import aggregate

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    """A cell no spreadsheet evaluates (text starting like a formula gets a leading quote); local datetimes."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def _book(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(header)
        for row in rows:
            sheet.append([safe(v) for v in row])
        sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def list_workbook(challenge_list) -> bytes:
    """榜单: one row per challenge (public fields)."""
    header = [_("榜题"), _("产业链类型"), _("县域重点产业链"), _("技术指标"), _("验收标准"), _("榜额（元）"),
              _("出资方"), _("揭榜截止"), _("状态"), _("示例")]  # fmt: skip
    rows = [
        [
            c.title,
            c.chain_type.name,
            c.chain.name if c.chain_id else "",
            c.targets,
            c.acceptance_criteria,
            c.funding_yuan,
            c.funder,
            c.bid_deadline,
            c.get_state_display(),
            _("示例") if c.is_sample else "",
        ]
        for c in challenge_list.challenges.select_related("chain_type", "chain")
    ]
    return _book([(_("榜单"), header, rows)])


def bids_workbook(challenge, user) -> bytes:
    """The bids the user may read in full (the publisher after the deadline; a bidder its own)."""
    bids = list(
        Bid.objects.visible_to(user)
        .filter(challenge=challenge)
        .select_related("bidder_org", "challenge__list")
        .prefetch_related("partners", "milestones")
        .order_by("pk")
    )
    policies = policy.BidReadPolicy.for_bids(user, bids)
    header = [_("揭榜单位"), _("联合体成员"), _("项目负责人"), _("团队"), _("技术路线"), _("申请经费（元）"),
              _("里程碑"), _("提交时间"), _("状态"), _("未中榜原因")]  # fmt: skip
    rows = []
    for bid in bids:
        read = policies[bid.pk]
        if not read.reads_content:
            continue
        rows.append(
            [
                bid.bidder_org.name,
                "；".join(p.name for p in bid.partners.all()),
                bid.lead_name,
                bid.team,
                bid.approach,
                bid.budget_yuan,
                "；".join(f"{m.due_date} {m.title}（{m.deliverable}）" for m in bid.milestones.all()),
                bid.submitted_at,
                bid.get_state_display(),
                bid.get_reason_category_display() if read.reads_reason else "",
            ]
        )
    return _book([(_("揭榜方案"), header, rows)])


def reviews_workbook(challenge, user) -> bytes:
    """Reviews (one row per expert and criterion) and the aggregate per bid (publisher and administrators)."""
    reviews = list(
        Review.objects.visible_to(user)
        .filter(bid__challenge=challenge)
        .select_related("bid__bidder_org", "expert")
        .prefetch_related("scores__criterion")
        .order_by("bid_id", "pk")
    )
    detail = []
    for review in reviews:
        for score in review.scores.all():
            detail.append([review.bid.bidder_org.name, review.expert.display_name, score.criterion.name,
                           score.criterion.weight, score.score, score.comment, review.total, review.comment])  # fmt: skip
    names = {r.bid_id: r.bid.bidder_org.name for r in reviews}
    aggregates = aggregate(
        list(names), [(r.bid_id, r.expert_id, r.total) for r in reviews], settings.CHALLENGE_OUTLIER_POINTS
    )
    experts = {r.expert_id: r.expert.display_name for r in reviews}
    summary = [
        [
            a.rank,
            names[a.bid_id],
            a.n,
            round(a.score, 2),
            round(a.spread, 2),
            a.low,
            a.high,
            "、".join(experts[e] for e in sorted(a.outliers)),
        ]
        for a in aggregates
        if a.score is not None
    ]
    return _book(
        [
            (
                _("评审汇总"),
                [
                    _("排名"),
                    _("揭榜单位"),
                    _("评审专家数"),
                    _("加权平均分"),
                    _("标准差"),
                    _("最低"),
                    _("最高"),
                    _("离群评分专家"),
                ],
                summary,
            ),
            (
                _("评审明细"),
                [
                    _("揭榜单位"),
                    _("专家"),
                    _("指标"),
                    _("权重"),
                    _("得分"),
                    _("意见"),
                    _("加权得分"),
                    _("总体意见"),
                ],
                detail,
            ),
        ]
    )
