"""Proposed bidders (推荐揭榜方): the matching engine ranks the catalog *and* the achievements supply list for a
challenge, so institutions whose 科技成果 fit are proposed with the achievement named in the reasons.

The engine is matchmaking's (Django-free) engine; achievements are one more resource type in its registry
(`engine.records.RESOURCE_TYPE_POOLS`: they join the innovation pool). This module builds their records, keeps one
index per catalog + supply-list version in the process, and turns ranked candidates into proposals grouped by
organization.
"""

import hashlib
import threading
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from challenges.choices import Maturity
from challenges.models import Achievement
from engine import OrderQuery, build_index, rank
from engine.loaders import achievement_record
from matchmaking import match_index
from matchmaking import matching as adapter

_lock = threading.Lock()
_cache: dict[str, object] = {}


def achievement_rows():
    """Published achievements with what their record needs (one query)."""
    return Achievement.objects.filter(is_published=True).values(
        "pk",
        "title",
        "field",
        "keywords",
        "summary",
        "licensing_terms",
        "maturity",
        "is_sample",
        "organization_id",
        "chain_type__code",
        "organization__name",
        "organization__institution__location",
        "organization__institution__in_fujian",
        "organization__enterprise__county__name",
    )


def achievement_records(c2p) -> list:
    """Engine records of the published achievements (key "achievement:<pk>")."""
    out = []
    for row in achievement_rows():
        county = row["organization__enterprise__county__name"]
        location = row["organization__institution__location"] or (f"福建省{county}" if county else "")
        in_fujian = row["organization__institution__in_fujian"]
        record = {
            **row,
            "chain_type": row["chain_type__code"],
            "organization": row["organization__name"],
            "location": location,
            "in_fujian": bool(county) or bool(in_fujian),
        }
        out.append(achievement_record(f"achievement:{row['pk']}", record, c2p))
    return out


def supply_version() -> str:
    """Changes whenever a published achievement is added, changed or removed."""
    stats = Achievement.objects.filter(is_published=True).aggregate(
        n=Count("pk"), top=Max("pk"), at=Max("updated_at")
    )
    return f"{stats['n']}/{stats['top']}/{stats['at']}"


def get_index():
    """The catalog plus the supply list as one engine index, rebuilt only when either changes."""
    version = hashlib.sha1(
        f"{match_index.catalog_version()}|{supply_version()}".encode(), usedforsecurity=False
    ).hexdigest()[:16]
    current = _cache.get("index")
    if current is not None and current.version == version:
        return current
    with _lock:
        current = _cache.get("index")
        if current is not None and current.version == version:
            return current
        catalog = match_index.catalog_records()
        resources = tuple(catalog.resources) + tuple(achievement_records(catalog.counties_to_prefecture))
        built = build_index(
            resources,
            catalog.chain_types,
            catalog.counties_to_prefecture,
            version=version,
            weights=getattr(settings, "MATCHING_WEIGHTS", None) or {},
            background_texts=match_index.background_texts(),
        )
        _cache["index"] = built
        return built


def query_for(challenge) -> OrderQuery:
    """The engine query of a challenge: an innovation need on its chain type (and county chain, if any)."""
    county = challenge.chain.county if challenge.chain_id else None
    return OrderQuery(
        kind="innovation",
        county=county.name if county else None,
        prefecture=county.prefecture.name if county else None,
        chain_type=challenge.chain_type.code,
        title=challenge.title,
        text="\n".join(p for p in (challenge.summary, challenge.targets, challenge.acceptance_criteria) if p),
        link_name=challenge.link.name if challenge.link_id else None,
        keywords=tuple(challenge.keyword_list),
        today=timezone.localdate(),
    )


@dataclass
class Proposal:
    """One proposed bidder: an organization (or a catalog entry not yet registered), its best score, reasons."""

    name: str
    score: float
    organization_id: int | None = None
    reasons: list[str] = field(default_factory=list)
    achievements: list[str] = field(default_factory=list)
    is_sample: bool = False

    def as_dict(self) -> dict:
        """The proposal as JSON."""
        return {
            "name": self.name,
            "organization": self.organization_id,
            "score": round(self.score, 3),
            "reasons": self.reasons,
            "achievements": self.achievements,
            "is_sample": self.is_sample,
        }


def proposed_bidders(challenge, top: int | None = None) -> list[Proposal]:
    """Organizations proposed to bid on a challenge, best first: catalog institutions and research teams, and the
    organizations whose achievements fit (each achievement named in the reasons)."""
    top = top or settings.CHALLENGE_PROPOSED_TOP
    index = get_index()
    candidates = rank(query_for(challenge), index, top=top * 3, min_score=settings.MATCH_MIN_SCORE)
    achievement_ids = [int(c.key.split(":")[1]) for c in candidates if c.resource_type == "achievement"]
    owners = {
        a.pk: a for a in Achievement.objects.filter(pk__in=achievement_ids).select_related("organization")
    }
    catalog_orgs = adapter.provider_orgs_for([c.key for c in candidates if c.resource_type != "achievement"])

    org_names = dict(Organization.objects.filter(pk__in=set(catalog_orgs.values())).values_list("pk", "name"))
    merged: dict[str, Proposal] = {}
    for cand in candidates:
        if cand.resource_type == "achievement":
            achievement = owners.get(int(cand.key.split(":")[1]))
            if achievement is None:
                continue
            org = achievement.organization
            group, name, org_id = f"org:{org.pk}", org.name, org.pk
            maturity = Maturity(achievement.maturity).label if achievement.maturity else ""
            reason = _("科技成果契合：《%(t)s》（%(m)s）") % {"t": achievement.title, "m": maturity}
            extra = [reason, *cand.reasons]
        else:
            org_id = catalog_orgs.get(cand.key)
            group = f"org:{org_id}" if org_id else cand.key
            name = org_names.get(org_id, cand.name) if org_id else cand.name
            extra, achievement = list(cand.reasons), None
        proposal = merged.get(group)
        if proposal is None:
            proposal = merged[group] = Proposal(name=name, score=cand.score, organization_id=org_id)
        proposal.score = max(proposal.score, cand.score)
        proposal.is_sample = proposal.is_sample or cand.is_sample
        for reason in extra:
            if reason not in proposal.reasons:
                proposal.reasons.append(reason)
        if achievement is not None and achievement.title not in proposal.achievements:
            proposal.achievements.append(achievement.title)
    return sorted(merged.values(), key=lambda p: -p.score)[:top]
