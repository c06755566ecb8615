"""`python manage.py match`: rank one ad-hoc order against the catalog loaded in the database (saves nothing)."""

import json

from django.core.management.base import BaseCommand, CommandError

from chains.models import ChainType, County, split_keywords
from engine import OrderQuery, rank
from engine.records import FINANCING_TYPES, ORDER_KINDS
from matchmaking.match_index import get_index


class Command(BaseCommand):
    """Print the ranked, explained candidates of an order described on the command line."""

    help = (
        "按县域、需求类型、产业链类型和需求文本，对数据库中的资源目录排序（不保存任何内容）。"
        '例：match --county 罗源县 --kind innovation --chain-type metallurgy --text "..." --json'
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="开单县域名称，如 罗源县")
        parser.add_argument("--kind", required=True, choices=ORDER_KINDS, help="需求类型")
        parser.add_argument("--chain-type", required=True, help="产业链类型代码（chain_types.json 的 code）")
        parser.add_argument("--text", required=True, help="需求描述")
        parser.add_argument("--title", default="", help="需求标题（可选）")
        parser.add_argument("--amount", type=int, default=None, help="金额（元），资金需求用")
        parser.add_argument("--financing-type", choices=FINANCING_TYPES, default=None, help="融资方式")
        parser.add_argument("--link", default=None, help="本单所在环节名称，如 正极材料")
        parser.add_argument(
            "--direction", choices=("upstream", "downstream"), default=None, help="产业配套：寻找上游或下游"
        )
        parser.add_argument("--keywords", default="", help="关键词，以“；”或逗号分隔")
        parser.add_argument("--top", type=int, default=10, help="返回条数（默认 10）")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **opts):
        county = County.objects.select_related("prefecture").filter(name=opts["county"]).first()
        if county is None:
            raise CommandError(f"未知的县域：{opts['county']}")
        if not ChainType.objects.filter(code=opts["chain_type"]).exists():
            raise CommandError(f"未知的产业链类型代码：{opts['chain_type']}")
        if opts["top"] < 1:
            raise CommandError("--top 至少为 1")

        query = OrderQuery(
            kind=opts["kind"],
            county=county.name,
            prefecture=county.prefecture.name,
            chain_type=opts["chain_type"],
            title=opts["title"],
            text=opts["text"],
            link_name=opts["link"],
            wanted_direction=opts["direction"],
            keywords=tuple(split_keywords(opts["keywords"])),
            amount_yuan=opts["amount"],
            financing_type=opts["financing_type"],
        )
        results = rank(query, get_index(), top=opts["top"])
        rows = [
            {
                "name": c.name,
                "resource_type": c.resource_type,
                "score": round(c.score, 4),
                "reasons": c.reasons,
            }
            for c in results
        ]
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("没有匹配的资源。")
        for position, row in enumerate(rows, 1):
            self.stdout.write(f"{position:>2}. {row['score']:.3f}  {row['name']}（{row['resource_type']}）")
            self.stdout.write(f"      {'；'.join(row['reasons'])}")
