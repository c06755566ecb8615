"""`python manage.py evaluate_matching FILE`: recall@1, recall@5 and MRR of labelled cases on the loaded catalog."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from devtools.matching.evaluate import evaluate, format_table, load_cases
from matchmaking.match_index import get_index


class Command(BaseCommand):
    """Evaluate the matching on cases in the `match_dev_cases.jsonl` format, per kind and overall."""

    help = (
        "在数据库中已加载的资源目录上评估匹配质量：按需求类型和总体输出 recall@1、recall@5、MRR，"
        "并列出 forbid 名称进入前 10 的用例。例：evaluate_matching tests/data/match_dev_cases.jsonl --json"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="用例文件（JSON Lines）")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument("--misses", action="store_true", help="同时列出未进前 5 的用例及其前 5 名")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"找不到用例文件：{path}")
        try:
            cases = load_cases(path)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"用例文件格式错误：{exc}") from exc
        bad = [c.get("id") or i for i, c in enumerate(cases, 1) if not c.get("kind") or not c.get("expect")]
        if bad:
            raise CommandError(f"用例缺少 kind 或 expect：{bad[:10]}")
        result = evaluate(cases, get_index())
        if opts["json"]:
            out = {
                "overall": result["overall"],
                "by_kind": result["by_kind"],
                "forbid_violations": result["forbid_violations"],
            }
            if opts["misses"]:
                out["misses"] = [r for r in result["cases"] if r["rank"] is None or r["rank"] > 5]
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        self.stdout.write(format_table(result))
        for v in result["forbid_violations"]:
            self.stdout.write(f"FORBID {v['id']}: {v['forbid']} → 第 {v['rank']} 名 {v['name']}")
        if opts["misses"]:
            for row in result["cases"]:
                if row["rank"] is None or row["rank"] > 5:
                    self.stdout.write(f"MISS {row['id']} ({row['kind']}): {'、'.join(row['top5'])}")
