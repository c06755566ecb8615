"""Idempotent loading of the reference data that ships in chains/data/ (and of any newer copy of it)."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from chains.choices import CountyKind
from chains.models import ChainLink, ChainType, County, Prefecture
from chains.resources import IMPORT_KINDS
from chains.services import import_dataset, read_dataset

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LoadReport:
    """Counts of rows created, updated and unchanged, per model."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, model_name: str, outcome: str) -> None:
        """Add one row's outcome."""
        bucket = getattr(self, outcome)
        bucket[model_name] = bucket.get(model_name, 0) + 1

    @property
    def changed(self) -> int:
        """How many rows were created or updated."""
        return sum(self.created.values()) + sum(self.updated.values())


def upsert(model, lookup: dict, values: dict, report: LoadReport):
    """Create or update one row by its natural key, writing only when a value differs."""
    obj = model.objects.filter(**lookup).first()
    name = model._meta.model_name
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.count(name, "created")
        return obj
    dirty = [key for key, value in values.items() if getattr(obj, key) != value]
    if dirty:
        for key in dirty:
            setattr(obj, key, values[key])
        obj.save(update_fields=[*dirty, *(["updated_at"] if hasattr(obj, "updated_at") else [])])
        report.count(name, "updated")
    else:
        report.count(name, "unchanged")
    return obj


@transaction.atomic
def load_regions(data_dir: Path, report: LoadReport) -> None:
    """Prefectures and counties from fujian_counties.csv."""
    prefectures: dict[str, Prefecture] = {}

    for index, row in enumerate(read_dataset(data_dir / "fujian_counties.csv").dict):
        pref_name = row["prefecture"]
        if pref_name not in prefectures:
            prefectures[pref_name] = upsert(
                Prefecture, {"name": pref_name}, {"position": len(prefectures) + 1}, report
            )
        upsert(
            County,
            {"name": row["county"]},
            {"prefecture": prefectures[pref_name], "kind": CountyKind(row["kind"]), "position": index + 1},
            report,
        )


@transaction.atomic
def load_chain_types(data_dir: Path, report: LoadReport) -> None:
    """Chain types and their ordered links from chain_types.json."""
    data = json.loads((data_dir / "chain_types.json").read_text(encoding="utf-8"))
    for position, item in enumerate(data["types"], start=1):
        chain_type = upsert(
            ChainType,
            {"code": item["code"]},
            {"name": item["name"], "source": item.get("source", "general"), "position": position},
            report,
        )
        for link_pos, link in enumerate(item["links"], start=1):
            upsert(
                ChainLink,
                {"chain_type": chain_type, "name": link["name"]},
                {
                    "stage": link["stage"],
                    "position": link_pos,
                    "keywords": "；".join(link.get("keywords", [])),
                },
                report,
            )


def load_catalog(data_dir: Path, report: LoadReport) -> None:
    """County chains and every catalog file, through the same importer administrators use."""
    for kind, spec in IMPORT_KINDS.items():
        if not spec.shipped:
            continue
        outcome = import_dataset(kind, read_dataset(data_dir / spec.filename), audit=False)
        if not outcome.ok:
            raise ValueError(f"{spec.filename}: " + "; ".join(str(p) for p in outcome.problems[:5]))
        name = spec.resource._meta.model._meta.model_name
        for outcome_name, count in (
            ("created", outcome.new),
            ("updated", outcome.updated),
            ("unchanged", outcome.unchanged),
        ):
            if count:
                getattr(report, outcome_name)[name] = getattr(report, outcome_name).get(name, 0) + count


def load_reference_data(data_dir: Path = DATA_DIR) -> LoadReport:
    """Load regions, chain types, county chains and the catalog; safe to run any number of times."""
    report = LoadReport()
    with transaction.atomic():
        load_regions(data_dir, report)
        load_chain_types(data_dir, report)
        load_catalog(data_dir, report)
    return report
