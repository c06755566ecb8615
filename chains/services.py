"""Verb-named operations on the chain map and catalog: the declaration workflow of county key chains, the
key-firm white list, and reading and importing spreadsheets.

Every state change locks the chain, checks `chains.workflow`, writes a ChainEvent (the chain's history) and an
AuditEntry in the same transaction, and sends `chain_event_logged` after commit (notifications to the next
party). Services raise only `ChainWorkflowError`.
"""

from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chains import workflow
from chains.choices import ChainEventKind, ChainStatus
from chains.models import (
    ChainEvent,
    ChainType,
    CountyChain,
    Enterprise,
    ProvincialBody,
    WhiteListEntry,
)
from chains.resources import IMPORT_KINDS, RowProblem, row_problems
from chains.scoping import scope_of
from chains.signals import chain_event_logged
from chains.workflow import ChainWorkflowError
from core.audit import fresh_snapshot, record_change, snapshot
from core.choices import Source

AUDIT_CHANNEL = "门户（县申报、市审核、省认定）"
# What a declaration holds (pages, API and services share this list).
DECLARATION_FIELDS = (
    "name",
    "chain_type",
    "links",
    "chain_leader",
    "chain_leader_office",
    "task_force_contact",
    "leader_firms",
    "scale_output_yuan",
    "scale_firm_count",
    "evidence",
)
MANY_TO_MANY = ("links", "leader_firms")
EVENT_OF_ACTION = {
    "submit": ChainEventKind.SUBMITTED,
    "review": ChainEventKind.REVIEWED,
    "return": ChainEventKind.RETURNED,
    "confirm": ChainEventKind.CONFIRMED,
    "adjust": ChainEventKind.ADJUSTED,
    "revoke": ChainEventKind.REVOKED,
}


def _actor_label(by) -> str:
    """Who acted, as the history shows it: the person and the organization they act for."""
    if by is None:
        return ""
    org = getattr(by, "organization", None)
    return f"{org.name} · {by}" if org is not None else str(by)


def _invalid(exc: ValidationError) -> ChainWorkflowError:
    errors = (
        {name: " ".join(str(m) for m in messages) for name, messages in exc.message_dict.items()}
        if hasattr(exc, "error_dict")
        else {"__all__": " ".join(exc.messages)}
    )
    return ChainWorkflowError(_("填写内容有误：") + "；".join(errors.values()), code="invalid", errors=errors)


def log_chain_event(
    chain, kind, by=None, *, from_status="", to_status="", note="", changes=None
) -> ChainEvent:
    """Append one history row and send `chain_event_logged` after commit; call inside the caller's transaction."""
    event = ChainEvent.objects.create(
        chain=chain,
        kind=kind,
        actor=by if getattr(by, "pk", None) else None,
        actor_label=_actor_label(by),
        from_status=from_status,
        to_status=to_status,
        note=(note or "").strip(),
        changes=changes or {},
    )
    transaction.on_commit(
        lambda: chain_event_logged.send_robust(sender=ChainEvent, event_id=event.pk), robust=True
    )
    return event


def _apply_declaration(chain: CountyChain, data: dict) -> tuple[list[str], dict]:
    """Set the declaration's plain fields from `data`; return the changed names and the many-to-many values."""
    changed, related = [], {}
    for name in DECLARATION_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in MANY_TO_MANY:
            related[name] = list(value or [])
            continue
        if name == "chain_type" and isinstance(value, str):
            value = ChainType.objects.filter(code=value).first()
            if value is None:
                raise ChainWorkflowError(
                    _("未知的产业链类型代码：%(v)s") % {"v": data[name]},
                    errors={"chain_type": _("未知的产业链类型。")},
                )
        if isinstance(value, str):
            value = value.strip()
        attname = chain._meta.get_field(name).attname
        before = getattr(chain, attname)
        setattr(chain, name, value)
        if getattr(chain, attname) != before:
            changed.append(name)
    return changed, related


def _validate_declaration(chain: CountyChain, related: dict) -> None:
    """Model rules, the chain name unique within the county, links of the chain's own type."""
    errors = {}
    if not (chain.name or "").strip():
        errors["name"] = _("请填写产业链名称。")
    try:
        chain.full_clean(exclude=["county", "declared_by", "links", "leader_firms", "status"])
    except ValidationError as exc:
        errors.update({k: " ".join(str(m) for m in v) for k, v in exc.message_dict.items()})
    if chain.chain_type_id is None:
        errors["chain_type"] = _("请选择产业链类型。")
    clash = CountyChain.objects.filter(county_id=chain.county_id, name=(chain.name or "").strip())
    if chain.pk:
        clash = clash.exclude(pk=chain.pk)
    if chain.name and clash.exists():
        errors["name"] = _("本县域已有同名的重点产业链：%(name)s") % {"name": chain.name}
    links = related.get("links")
    if links and chain.chain_type_id and any(link.chain_type_id != chain.chain_type_id for link in links):
        errors["links"] = _("所选环节须属于该产业链类型。")
    if errors:
        raise ChainWorkflowError(
            _("填写内容有误：") + "；".join(errors.values()), code="invalid", errors=errors
        )


def _changes(before: dict, after: dict) -> dict:
    return {
        k: [before.get(k), after.get(k)]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def declare_chain(*, by, data: dict) -> CountyChain:
    """县申报: a county official declares a key chain of their own county (the county is never input)."""
    scope = scope_of(by)
    if scope is None or not scope.active or not scope.is_county:
        raise ChainWorkflowError(_("只有县域官员可以申报本县域的重点产业链。"), code="forbidden")
    now = timezone.now()
    chain = CountyChain(
        county_id=scope.county_id,
        status=ChainStatus.DECLARED,
        source=Source.DECLARATION,
        declared_by=by,
        declared_at=now,
    )
    _changed, related = _apply_declaration(chain, data)
    _validate_declaration(chain, related)
    try:
        with transaction.atomic():
            chain.save()
            for name, values in related.items():
                getattr(chain, name).set(values)
            log_chain_event(chain, ChainEventKind.DECLARED, by, to_status=ChainStatus.DECLARED)
            record_change(chain, {}, actor=by, channel=AUDIT_CHANNEL)
    except IntegrityError as exc:  # two declarations of one name at once
        raise ChainWorkflowError(
            _("本县域已有同名的重点产业链：%(name)s") % {"name": chain.name},
            errors={"name": _("名称已存在。")},
        ) from exc
    return chain


def _locked(pk: int) -> CountyChain:
    return (
        CountyChain.objects.select_for_update().select_related("county__prefecture", "chain_type").get(pk=pk)
    )


def update_declaration(chain: CountyChain, *, by, data: dict) -> CountyChain:
    """Change what was declared: the county while declared or returned; the province adjusts (调整) while
    reviewed or confirmed. The history records which fields changed."""
    scope = scope_of(by)
    with transaction.atomic():
        locked = _locked(chain.pk)
        county_edit = workflow.county_may_edit(locked, scope)
        if not county_edit:
            workflow.check(locked, "adjust", scope)
        before = fresh_snapshot(locked)
        _changed, related = _apply_declaration(locked, data)
        _validate_declaration(locked, related)
        locked.save()
        for name, values in related.items():
            getattr(locked, name).set(values)
        after = fresh_snapshot(locked)
        diff = _changes(before, after)
        if diff:
            labels = "、".join(str(CountyChain._meta.get_field(key).verbose_name) for key in diff)
            log_chain_event(
                locked,
                ChainEventKind.EDITED if county_edit else ChainEventKind.ADJUSTED,
                by,
                from_status=locked.status,
                to_status=locked.status,
                note=_("修改了：%(f)s") % {"f": labels},
                changes=diff,
            )
            record_change(locked, before, actor=by, channel=AUDIT_CHANNEL)
    _copy(locked, chain)
    return chain


def _copy(src, dst) -> None:
    if src is dst:
        return
    for f in CountyChain._meta.concrete_fields:
        setattr(dst, f.attname, getattr(src, f.attname))


def _transition(chain: CountyChain, action: str, by, *, reason: str = "", changes: dict | None = None):
    """Lock, check the table, conditional update, history row, audit entry; notify after commit."""
    scope = scope_of(by)
    with transaction.atomic():
        locked = _locked(chain.pk)
        transition = workflow.check(locked, action, scope, reason)
        before = fresh_snapshot(locked)
        now = timezone.now()
        fields = {"status": transition.target, "updated_at": now, **(changes or {})}
        fields["status_note"] = (reason or "").strip()[:1000]
        if not CountyChain.objects.filter(pk=locked.pk, status=locked.status).update(**fields):
            raise ChainWorkflowError(_("产业链状态已被他人更改，请刷新后重试。"), code="conflict")
        from_status = locked.status
        for name, value in fields.items():
            setattr(locked, name, value)
        log_chain_event(
            locked,
            EVENT_OF_ACTION[action],
            by,
            from_status=from_status,
            to_status=transition.target,
            note=reason,
        )
        record_change(locked, before, actor=by, channel=AUDIT_CHANNEL)
    _copy(locked, chain)
    return chain


def submit_chain(chain: CountyChain, *, by) -> CountyChain:
    """The county declares a returned chain again (after changing it)."""
    return _transition(chain, "submit", by, changes={"declared_at": timezone.now()})


def review_chain(chain: CountyChain, *, by) -> CountyChain:
    """市审核: the county's prefecture city approves the declaration and passes it to the province."""
    return _transition(chain, "review", by, changes={"reviewed_at": timezone.now()})


def return_chain(chain: CountyChain, *, by, reason: str) -> CountyChain:
    """The prefecture city returns the declaration to the county, with a reason."""
    return _transition(chain, "return", by, reason=reason)


def confirm_chain(chain: CountyChain, *, by, data: dict | None = None) -> CountyChain:
    """省认定: the province confirms a reviewed chain, adjusting what was declared if `data` says so."""
    with transaction.atomic():
        chain = _transition(chain, "confirm", by, changes={"confirmed_at": timezone.now()})
        if data:
            chain = update_declaration(chain, by=by, data=data)
    return chain


def revoke_chain(chain: CountyChain, *, by, reason: str) -> CountyChain:
    """The province revokes a chain (or a declaration); its open orders stay open and say so."""
    return _transition(chain, "revoke", by, reason=reason)


CHAIN_ACTIONS = {
    "submit": submit_chain,
    "review": review_chain,
    "return": return_chain,
    "confirm": confirm_chain,
    "revoke": revoke_chain,
}


def act_on_chain(chain: CountyChain, action: str, *, by, reason: str = "") -> CountyChain:
    """Fire one workflow action by name (pages and API): reasons go to the actions that take one."""
    service = CHAIN_ACTIONS.get(action)
    if service is None:
        raise ChainWorkflowError(_("未知的操作：%(a)s") % {"a": action}, code="illegal_transition")
    if workflow.TRANSITIONS[action].needs_reason:
        return service(chain, by=by, reason=reason)
    return service(chain, by=by)


# --- the key-firm white list ---------------------------------------------------------------------------


def add_to_white_list(
    *,
    by,
    enterprise: Enterprise,
    chain: CountyChain,
    year: int,
    reason: str,
    listed_by: ProvincialBody | None = None,
) -> WhiteListEntry:
    """A financial body (省委金融办, 省财政厅, 省工信厅) or an administrator lists a firm for a chain and year."""
    scope = scope_of(by)
    if not workflow.keeps_white_list(scope):
        raise ChainWorkflowError(_("只有白名单维护单位可以维护重点企业白名单。"), code="forbidden")
    if not scope.is_admin:
        listed_by = ProvincialBody.objects.get(pk=scope.body_id)
    errors = {}
    if listed_by is None:
        errors["listed_by"] = _("请选择列入单位。")
    elif not listed_by.keeps_white_list:
        errors["listed_by"] = _("%(body)s不是白名单维护单位。") % {"body": listed_by.short_name}
    if not (reason or "").strip():
        errors["reason"] = _("请填写列入理由。")
    if not (isinstance(year, int) and 2000 <= year <= 2100):
        errors["year"] = _("年度应为四位年份。")
    if chain.status == ChainStatus.REVOKED:
        errors["chain"] = _("已撤销的产业链不能列入白名单。")
    if WhiteListEntry.objects.filter(enterprise=enterprise, chain=chain, year=year).exists():
        errors["enterprise"] = _("该企业已在 %(year)s 年度该产业链的白名单中。") % {"year": year}
    if errors:
        raise ChainWorkflowError(_("填写内容有误：") + "；".join(errors.values()), errors=errors)
    with transaction.atomic():
        entry = WhiteListEntry.objects.create(
            enterprise=enterprise,
            chain=chain,
            year=year,
            listed_by=listed_by,
            reason=reason.strip()[:500],
            created_by=by,
        )
        record_change(entry, {}, actor=by, channel=AUDIT_CHANNEL)
    return entry


def remove_from_white_list(entry: WhiteListEntry, *, by) -> None:
    """A white-list keeper removes an entry (the audit log keeps what it was)."""
    if not workflow.keeps_white_list(scope_of(by)):
        raise ChainWorkflowError(_("只有白名单维护单位可以维护重点企业白名单。"), code="forbidden")
    with transaction.atomic():
        before, pk = snapshot(entry), entry.pk
        entry.delete()
        entry.pk = pk
        record_change(entry, before, actor=by, channel=AUDIT_CHANNEL, deleted=True)


# --- spreadsheets -------------------------------------------------------------------------------------


class SpreadsheetError(ValueError):
    """The file cannot be read as a CSV or XLSX sheet with a header row."""


@dataclass
class ImportOutcome:
    """What an import did (or, on a dry run or with bad rows, would have done)."""

    kind: str
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return not self.problems

    @property
    def applied(self) -> bool:
        """True when rows were written to the database."""
        return self.ok and not self.dry_run


def read_dataset(path: Path | str, *, file_format: str | None = None) -> tablib.Dataset:
    """Read a CSV (UTF-8, with or without BOM) or XLSX file into a dataset with stripped headers."""
    path = Path(path)
    file_format = (file_format or path.suffix.lstrip(".")).lower()
    if file_format not in {"csv", "xlsx"}:
        raise SpreadsheetError(_("只支持 CSV 或 XLSX 文件：%(name)s") % {"name": path.name})
    try:
        if file_format == "csv":
            dataset = tablib.Dataset().load(path.read_text(encoding="utf-8-sig"), format="csv")
        else:
            dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    except (UnicodeDecodeError, ValueError, KeyError, OSError) as exc:
        raise SpreadsheetError(
            _("无法读取文件 %(name)s：%(error)s") % {"name": path.name, "error": exc}
        ) from exc
    return clean_dataset(dataset)


def clean_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    """Strip headers and cells, and drop rows that are entirely blank (spreadsheets often end with some)."""
    if not dataset.headers:
        raise SpreadsheetError(_("文件缺少表头行"))
    headers = [str(h or "").strip() for h in dataset.headers]
    cleaned = tablib.Dataset(headers=headers)
    for row in dataset:
        values = ["" if v is None else (v.strip() if isinstance(v, str) else v) for v in row]
        if any(str(v) != "" for v in values):
            cleaned.append(values)
    return cleaned


def import_dataset(
    kind: str, dataset: tablib.Dataset, *, dry_run: bool = False, user=None, audit: bool = True, progress=None
) -> ImportOutcome:
    """Import one sheet of a kind; a sheet with any bad row imports nothing and names every bad row.
    `progress(rows_done)` is called as rows are processed (background imports show a progress bar)."""
    spec = IMPORT_KINDS[kind]
    resource = spec.resource()
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            user=user,
            audit=audit,
            progress=progress,
        )
    totals = result.totals
    return ImportOutcome(
        kind=kind,
        total=result.total_rows,
        new=totals.get("new", 0),
        updated=totals.get("update", 0),
        unchanged=totals.get("skip", 0),
        problems=row_problems(result),
        dry_run=dry_run,
    )


def import_catalog_file(kind: str, path: Path | str, *, dry_run: bool = False) -> ImportOutcome:
    """Read a CSV/XLSX file and import it as `kind` (see IMPORT_KINDS)."""
    if kind not in IMPORT_KINDS:
        raise SpreadsheetError(
            _("未知的导入类型 %(kind)s，可选：%(kinds)s") % {"kind": kind, "kinds": ", ".join(IMPORT_KINDS)}
        )
    return import_dataset(kind, read_dataset(path), dry_run=dry_run)
