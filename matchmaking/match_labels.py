"""What a match row names besides the resource: the bank or fund manager behind it and the 示例 badge."""

from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps

from core import compiledsql
from core.choices import Source
from matchmaking.choices import RESOURCE_MODELS, ResourceType

# the catalog field that names who stands behind a resource (a loan product's bank, a fund's manager)
OWNER_FIELDS = {
    ResourceType.FINANCIAL_PRODUCT: "provider",
    ResourceType.FUND: "sponsor",
    ResourceType.TALENT_RESOURCE: "organizer",
}


def label_matches(matches: Iterable, key: str | None = None) -> list:
    """Set `owner_label` and `is_sample` on each match, in one query per resource type present; with a `key`
    naming the caller, each query compiled once per type and number of ids (`core.compiledsql`)."""
    matches = list(matches)
    ids = defaultdict(set)
    for m in matches:
        ids[m.resource_type].add(m.resource_id)
    found: dict[tuple[str, int], tuple[str, bool]] = {}
    for resource_type, pks in ids.items():
        model = apps.get_model(RESOURCE_MODELS[resource_type])
        owner_field = OWNER_FIELDS.get(resource_type)
        fields = ["pk", "source", *([owner_field] if owner_field else [])]

        def build(ids, model=model, fields=fields):
            return model.objects.filter(pk__in=ids).order_by().values(*fields)  # a lookup: no ORDER BY

        rows = (
            build(pks) if key is None else compiledsql.fetch((key, resource_type), build, tuple(sorted(pks)))
        )
        for row in rows:
            owner = row.get(owner_field, "") if owner_field else ""
            found[(resource_type, row["pk"])] = (owner or "", row["source"] == Source.SAMPLE)
    for m in matches:
        m.owner_label, m.is_sample = found.get((m.resource_type, m.resource_id), ("", False))
    return matches
