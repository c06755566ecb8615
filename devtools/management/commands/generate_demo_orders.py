"""Generate N synthetic orders (示例) across counties, kinds and states, with plausible timestamps,
routes, responses, outcomes, firm matches and (with --timeline) timeline events — for demos and
dashboard benchmarks.

    python manage.py generate_demo_orders 50000 [--seed 7] [--months 18] [--clear] [--timeline]

Every row is marked `is_sample=True` (shown as 示例). Rows are written with bulk_create in batches;
no signals, notifications or matching tasks run. Needs `load_reference_data` (and, for the demo
provider organizations, preferably `seed_demo`) first.
"""

import contextlib
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.choices import OrgKind, ProviderKind
from accounts.models import Organization
from chains.models import ChainLink, CountyChain, Enterprise, Institution, ProvincialBody
from engine.reasons import legacy_reason
from matchmaking import sla, tally, tally_signals
from matchmaking.choices import (
    EventKind,
    FinancingType,
    MatchState,
    OrderKind,
    OrderState,
    OutcomeType,
    ProposalState,
    ResourceType,
    Visibility,
    WantedLink,
)
from matchmaking.models import Match, Order, OrderEvent, OrderRoute, Outcome, Proposal

BATCH = 2000

# (state, weight): where the synthetic orders stand today.
STATE_WEIGHTS = (
    (OrderState.DRAFT, 4),
    (OrderState.SUBMITTED, 4),
    (OrderState.RETURNED, 2),
    (OrderState.REJECTED, 2),
    (OrderState.PUBLISHED, 12),
    (OrderState.CLAIMED, 12),
    (OrderState.DOCKING, 16),
    (OrderState.RESOLVED, 36),
    (OrderState.CLOSED, 6),
    (OrderState.WITHDRAWN, 3),
    (OrderState.EXPIRED, 3),
)
KIND_WEIGHTS = (
    (OrderKind.INNOVATION, 30),
    (OrderKind.CAPITAL, 30),
    (OrderKind.TALENT, 20),
    (OrderKind.INDUSTRY, 20),
)
REACHED_PUBLISHED = {
    OrderState.PUBLISHED,
    OrderState.CLAIMED,
    OrderState.DOCKING,
    OrderState.RESOLVED,
    OrderState.CLOSED,
    OrderState.EXPIRED,
    OrderState.WITHDRAWN,
}
REACHED_CLAIMED = {OrderState.CLAIMED, OrderState.DOCKING, OrderState.RESOLVED, OrderState.CLOSED}
REACHED_DOCKING = {OrderState.DOCKING, OrderState.RESOLVED}
TITLES = {
    OrderKind.INNOVATION: ("关键工艺技术攻关", "新产品联合研发", "检测认证平台共建", "中试放大技术支持"),
    OrderKind.CAPITAL: ("技改扩产融资", "流动资金贷款", "股权融资对接", "供应链金融支持"),
    OrderKind.TALENT: ("高级工程师引进", "技能人才培训", "专家团驻点指导", "产业学院共建"),
    OrderKind.INDUSTRY: ("上游原材料配套", "关键零部件本地配套", "下游应用市场拓展", "补链项目招引"),
}
OUTCOMES = {
    OrderKind.INNOVATION: (OutcomeType.AGREEMENT, OutcomeType.OTHER),
    OrderKind.CAPITAL: (OutcomeType.CREDIT, OutcomeType.CREDIT, OutcomeType.EQUITY),
    OrderKind.TALENT: (OutcomeType.TALENT, OutcomeType.AGREEMENT),
    OrderKind.INDUSTRY: (OutcomeType.SUPPLIER, OutcomeType.AGREEMENT),
}
SAMPLE_PROVIDER_PREFIX = "示例资源方·"


@contextlib.contextmanager
def explicit_timestamps(*models):
    """Let bulk_create keep the given created_at values (auto_now_add would overwrite them)."""
    fields = [m._meta.get_field("created_at") for m in models]
    saved = [(f, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in saved:
            f.auto_now_add = value


@dataclass
class Plan:
    """One order's generated story before it is written."""

    order: Order
    bodies: list = field(default_factory=list)
    events: list = field(default_factory=list)


class Command(BaseCommand):
    help = "生成 N 条示例需求（is_sample，页面标注“示例”），含分派、响应、成果、匹配和时间线，用于演示和看板性能测试。"

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="要生成的需求条数")
        parser.add_argument("--seed", type=int, default=7, help="随机种子（相同种子生成相同数据）")
        parser.add_argument("--months", type=int, default=18, help="时间跨度（月），从今天往前")
        parser.add_argument("--clear", action="store_true", help="先删除已有的示例需求")
        parser.add_argument(
            "--timeline", action="store_true", help="同时写入时间线事件（每条需求约 4 行，较慢）"
        )

    def handle(self, *args, count, seed, months, clear, timeline, **options):
        if count < 1:
            raise CommandError("count 必须大于 0。")
        rng = random.Random(seed)
        chains = list(CountyChain.objects.active().select_related("county", "chain_type"))
        if not chains:
            raise CommandError("没有县域重点产业链：请先运行 load_reference_data。")
        started = timezone.now()
        if clear:
            with tally_signals.deletes_uncounted():  # the summary is rebuilt below
                deleted, _detail = Order.objects.filter(is_sample=True).delete()
            self.stdout.write(f"已删除示例需求及相关记录 {deleted} 行")
        context = self._context(chains)
        total = {"orders": 0, "routes": 0, "responses": 0, "outcomes": 0, "matches": 0, "events": 0}
        with explicit_timestamps(Order, Proposal, Outcome, Match):
            for offset in range(0, count, BATCH):
                size = min(BATCH, count - offset)
                with transaction.atomic():
                    written = self._batch(rng, context, size, months, started, timeline)
                for key, value in written.items():
                    total[key] += value
        cells = tally.rebuild()  # bulk_create sends no signal: the dashboards' summary is counted afresh
        elapsed = (timezone.now() - started).total_seconds()
        summary = "，".join(f"{k} {v}" for k, v in total.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成示例需求 {count} 条（{summary}），看板汇总 {cells} 个单元，用时 {elapsed:.1f} 秒"
            )
        )

    # --- reference data used by every batch -----------------------------------------------------

    def _context(self, chains) -> dict:
        links_by_type: dict = {}
        for link in ChainLink.objects.all():
            links_by_type.setdefault(link.chain_type_id, []).append(link)
        firms_by_type: dict = {}
        for firm in Enterprise.objects.filter(county__isnull=False).only(
            "pk", "name", "county_id", "chain_type_id"
        ):
            firms_by_type.setdefault(firm.chain_type_id, []).append(firm)
        bodies = {kind: list(ProvincialBody.objects.handling(kind)) for kind in OrderKind.values}
        return {
            "chains": chains,
            "links": links_by_type,
            "firms": firms_by_type,
            "bodies": bodies,
            "providers": self._providers(),
        }

    def _providers(self) -> list[Organization]:
        """Provider organizations that respond: the existing ones plus a few sample ones (示例资源方·…)."""
        for inst in Institution.objects.order_by("-in_fujian", "name")[:6]:
            Organization.objects.get_or_create(
                name=f"{SAMPLE_PROVIDER_PREFIX}{inst.name}"[:100],
                defaults={"kind": OrgKind.PROVIDER, "provider_kind": ProviderKind.INSTITUTION},
            )
        for firm in Enterprise.objects.order_by("name")[:6]:
            Organization.objects.get_or_create(
                name=f"{SAMPLE_PROVIDER_PREFIX}{firm.name}"[:100],
                defaults={"kind": OrgKind.PROVIDER, "provider_kind": ProviderKind.ENTERPRISE},
            )
        return list(Organization.objects.filter(kind=OrgKind.PROVIDER, is_active=True).order_by("pk"))

    # --- one batch ------------------------------------------------------------------------------

    def _batch(self, rng, ctx, size, months, now, timeline) -> dict:
        plans = [self._plan(rng, ctx, months, now) for _ in range(size)]
        orders = Order.objects.bulk_create([p.order for p in plans], batch_size=BATCH)
        routes, responses, outcomes, matches, events = [], [], [], [], []
        for plan, order in zip(plans, orders, strict=True):
            for body in plan.bodies:
                routes.append(OrderRoute(order=order, body=body, routed_at=order.published_at))
            for kind, when, from_state, to_state in plan.events if timeline else ():
                events.append(
                    OrderEvent(
                        order=order, kind=kind, from_state=from_state, to_state=to_state, created_at=when
                    )
                )
            responses.extend(self._responses(rng, ctx, order))
            if order.state == OrderState.RESOLVED:
                outcomes.append(self._outcome(rng, order))
            if order.kind == OrderKind.INDUSTRY and order.published_at:
                matches.extend(self._matches(rng, ctx, order))
        OrderRoute.objects.bulk_create(routes, batch_size=BATCH)
        Proposal.objects.bulk_create(responses, batch_size=BATCH)
        Outcome.objects.bulk_create(outcomes, batch_size=BATCH)
        Match.objects.bulk_create(matches, batch_size=BATCH)
        OrderEvent.objects.bulk_create(events, batch_size=BATCH)
        return {
            "orders": len(orders),
            "routes": len(routes),
            "responses": len(responses),
            "outcomes": len(outcomes),
            "matches": len(matches),
            "events": len(events),
        }

    def _plan(self, rng, ctx, months, now) -> Plan:
        state = rng.choices([s for s, _w in STATE_WEIGHTS], weights=[w for _s, w in STATE_WEIGHTS])[0]
        kind = rng.choices([k for k, _w in KIND_WEIGHTS], weights=[w for _k, w in KIND_WEIGHTS])[0]
        chain = rng.choice(ctx["chains"])
        links = ctx["links"].get(chain.chain_type_id) or [None]
        link = rng.choice(links)

        # Durations of each step (hours), then placed so that the last step happened before now.
        steps = {
            "submit": rng.uniform(0.5, 48),
            "publish": rng.uniform(2, 96),
            "claim": rng.lognormvariate(3.7, 0.9),  # median ≈ 40 h, a tail beyond the 3-working-day limit
            "dock": rng.uniform(24, 24 * 20),
            "finish": rng.uniform(24 * 5, 24 * 75),
        }
        reached = ["submit"] if state != OrderState.DRAFT else []
        if state in REACHED_PUBLISHED:
            reached.append("publish")
        if state in REACHED_CLAIMED:
            reached.append("claim")
        if state in REACHED_DOCKING:
            reached.append("dock")
        if state in (
            OrderState.RESOLVED,
            OrderState.CLOSED,
            OrderState.EXPIRED,
            OrderState.WITHDRAWN,
            OrderState.REJECTED,
        ):
            reached.append("finish")
        span = sum(steps[s] for s in reached)
        latest_start = now - timedelta(hours=span + 1)
        window = timedelta(days=30 * months)
        created = latest_start - timedelta(seconds=rng.uniform(0, window.total_seconds()))
        if state in (OrderState.PUBLISHED, OrderState.SUBMITTED, OrderState.CLAIMED, OrderState.DOCKING):
            # orders still under way are recent
            created = latest_start - timedelta(hours=rng.uniform(0, 24 * 45))

        times: dict[str, datetime] = {}
        clock = created
        for step in reached:
            clock = clock + timedelta(hours=steps[step])
            times[step] = clock

        bodies = ctx["bodies"][kind]
        routed = (
            rng.sample(bodies, k=min(len(bodies), rng.randint(1, 2))) if "publish" in times and bodies else []
        )
        claimed_by = routed[0] if "claim" in times and routed else None
        title = f"{chain.county.name}{chain.chain_type.name}{rng.choice(TITLES[kind])}（示例）"
        order = Order(
            kind=kind,
            state=state,
            county=chain.county,
            chain=chain,
            link=link,
            title=title[:100],
            description=(
                f"示例数据：{chain.name}在{link.name if link else '相关环节'}方面存在{rng.choice(TITLES[kind])}需求，"
                "希望通过平台对接省内外资源，明确合作方式和时间安排。"
            ),
            keywords=f"{chain.chain_type.name}；{link.name if link else ''}",
            amount_yuan=rng.choice((1, 2, 3, 5, 8, 10, 20, 50)) * 1_000_000
            if kind == OrderKind.CAPITAL
            else None,
            financing_type=rng.choice(FinancingType.values) if kind == OrderKind.CAPITAL else "",
            headcount=rng.randint(1, 20) if kind == OrderKind.TALENT else None,
            talent_profile="相关专业高级工程师或技能人才（示例）" if kind == OrderKind.TALENT else "",
            tech_field=chain.chain_type.name if kind == OrderKind.INNOVATION else "",
            expected_outcome="形成可落地的技术方案（示例）" if kind == OrderKind.INNOVATION else "",
            wanted_link=rng.choice(WantedLink.values) if kind == OrderKind.INDUSTRY else "",
            products=f"{link.name if link else chain.chain_type.name}相关产品（示例）"
            if kind == OrderKind.INDUSTRY
            else "",
            due_date=(created + timedelta(days=rng.randint(60, 240))).date(),
            contact_name="示例联系人",
            contact_phone="13800000000",
            visibility=Visibility.OPEN if rng.random() < 0.85 else Visibility.RESTRICTED,
            claimed_by_body=claimed_by,
            is_sample=True,
            submitted_at=times.get("submit"),
            published_at=times.get("publish"),
            claim_due_at=sla.claim_deadline_after(times["publish"]) if "publish" in times else None,
            claimed_at=times.get("claim"),
            finished_at=times.get("finish"),
            last_progress_at=times.get("dock") or times.get("claim"),
            match_state=MatchState.DONE if "publish" in times else MatchState.PENDING,
            matched_at=times.get("publish"),
            created_at=created,
        )
        events = [(EventKind.CREATED, created, "", OrderState.DRAFT)]
        if "submit" in times:
            events.append((EventKind.SUBMITTED, times["submit"], OrderState.DRAFT, OrderState.SUBMITTED))
        if "publish" in times:
            events.append((EventKind.PUBLISHED, times["publish"], OrderState.SUBMITTED, OrderState.PUBLISHED))
        if "claim" in times:
            events.append((EventKind.CLAIMED, times["claim"], OrderState.PUBLISHED, OrderState.CLAIMED))
        if "dock" in times:
            events.append((EventKind.DOCKING, times["dock"], OrderState.CLAIMED, OrderState.DOCKING))
        if "finish" in times:
            before = {
                OrderState.RESOLVED: OrderState.DOCKING,
                OrderState.CLOSED: OrderState.CLAIMED,
                OrderState.REJECTED: OrderState.SUBMITTED,
            }.get(state, OrderState.PUBLISHED)
            events.append((EventKind(state), times["finish"], before, state))
        if state == OrderState.RETURNED:
            events.append(
                (
                    EventKind.RETURNED,
                    times["submit"] + timedelta(hours=6),
                    OrderState.SUBMITTED,
                    OrderState.RETURNED,
                )
            )
        return Plan(order=order, bodies=routed, events=events)

    def _responses(self, rng, ctx, order) -> list[Proposal]:
        if order.state not in REACHED_CLAIMED or not ctx["providers"]:
            return []
        providers = rng.sample(ctx["providers"], k=min(len(ctx["providers"]), rng.randint(1, 3)))
        accepted_first = order.state in REACHED_DOCKING
        rows = []
        for i, org in enumerate(providers):
            if accepted_first and i == 0:
                state = ProposalState.ACCEPTED
            else:
                state = rng.choice((ProposalState.PENDING, ProposalState.DECLINED))
            created = order.claimed_at + timedelta(hours=rng.uniform(1, 72))
            rows.append(
                Proposal(
                    order=order,
                    provider_org=org,
                    proposal="示例响应：可提供相应技术、资金或人才支持，建议尽快安排对接会。",
                    amount_yuan=order.amount_yuan if order.kind == OrderKind.CAPITAL else None,
                    state=state,
                    decided_at=created + timedelta(hours=24) if state != ProposalState.PENDING else None,
                    created_at=created,
                )
            )
        return rows

    def _outcome(self, rng, order) -> Outcome:
        outcome_type = rng.choice(OUTCOMES[order.kind])
        amount = None
        if outcome_type in (OutcomeType.CREDIT, OutcomeType.EQUITY):
            amount = int((order.amount_yuan or 5_000_000) * rng.choice((0.5, 0.8, 1.0)))
        return Outcome(
            order=order,
            outcome_type=outcome_type,
            amount_yuan=amount,
            partner="示例合作方",
            date=timezone.localtime(order.finished_at).date(),
            summary="示例成果：双方签署合作文件并进入实施。",
            created_at=order.finished_at,
        )

    def _matches(self, rng, ctx, order) -> list[Match]:
        firms = ctx["firms"].get(order.chain.chain_type_id) or []
        if not firms:
            return []
        picked = rng.sample(firms, k=min(len(firms), 3))
        return [
            Match(
                order=order,
                resource_type=ResourceType.ENTERPRISE,
                resource_id=firm.pk,
                resource_name=firm.name,
                rank=rank,
                score=round(max(0.05, 0.9 - rank * 0.1 - rng.random() * 0.1), 3),
                reasons=[legacy_reason("同一产业链类型"), legacy_reason("示例匹配")],
                created_at=order.published_at,
            )
            for rank, firm in enumerate(picked, 1)
        ]
