"""The firms an order serves (受益企业): naming them and splitting the outcome per firm.

A beneficiary is a catalog firm (`{"enterprise": id}`) or a firm named with its 统一社会信用代码
(`{"name", "uscc"}`, the check digit verified by chains.uscc; a code that belongs to a catalog firm links it).
The county names them while it may edit the order; the taking body (or an administrator) records per firm
the amount financed and whether an agreement was signed, once the order is docking or resolved. Both write an
order timeline entry in the same transaction and raise only `WorkflowError`.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.scoping import Scope
from chains.models import Enterprise, WhiteListEntry
from chains.uscc import normalize_uscc, validate_uscc
from matchmaking import workflow
from matchmaking.choices import EventKind, OrderState
from matchmaking.models import Order, OrderBeneficiary
from matchmaking.timeline import log_event
from matchmaking.workflow import WorkflowError

MAX_BENEFICIARIES = 50
# States in which the outcome may be split per firm.
OUTCOME_STATES = (OrderState.DOCKING, OrderState.RESOLVED)


def _problem(index: int, message: str) -> str:
    return _("第 %(n)d 家企业：%(message)s") % {"n": index + 1, "message": message}


def parse_beneficiaries(items) -> list[OrderBeneficiary]:
    """Validate a list of `{"enterprise": id}` / `{"name", "uscc"}` into unsaved rows; any bad item raises
    WorkflowError naming every problem (a wrong check digit is refused with the digit it should be)."""
    items = list(items or [])
    problems = []
    if len(items) > MAX_BENEFICIARIES:
        problems.append(_("受益企业最多 %(n)d 家。") % {"n": MAX_BENEFICIARIES})
    wanted_ids = {
        item.get("enterprise")
        if not isinstance(item.get("enterprise"), Enterprise)
        else item["enterprise"].pk
        for item in items
        if isinstance(item, dict) and item.get("enterprise")
    }
    firms = Enterprise.objects.in_bulk([i for i in wanted_ids if isinstance(i, int)])
    rows, seen = [], set()
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(
                _problem(index, _('格式应为 {"enterprise": 编号} 或 {"name": 名称, "uscc": 代码}'))
            )
            continue
        given = item.get("enterprise")
        if given:
            firm = given if isinstance(given, Enterprise) else firms.get(given)
            if firm is None:
                problems.append(_problem(index, _("资源库中没有编号为 %(id)s 的企业") % {"id": given}))
                continue
            row = OrderBeneficiary(enterprise=firm, name=firm.name, uscc=firm.uscc or "")
        else:
            name = str(item.get("name") or "").strip()
            code = normalize_uscc(item.get("uscc") or "")
            if not name:
                problems.append(_problem(index, _("请填写企业名称")))
                continue
            if not code:
                problems.append(_problem(index, _("资源库外的企业须填写统一社会信用代码")))
                continue
            try:
                validate_uscc(code)
            except ValidationError as exc:
                problems.append(_problem(index, "；".join(exc.messages)))
                continue
            firm = Enterprise.objects.filter(uscc=code).first()
            row = OrderBeneficiary(enterprise=firm, name=firm.name if firm else name[:100], uscc=code)
        key = row.uscc or f"enterprise:{row.enterprise_id}"
        if key in seen:
            problems.append(_problem(index, _("与前面的企业重复：%(name)s") % {"name": row.name}))
            continue
        seen.add(key)
        rows.append(row)
    if problems:
        message = "；".join(problems)
        raise WorkflowError(_("受益企业有误：") + message, code="invalid", errors={"beneficiaries": message})
    return rows


def set_beneficiaries(order: Order, *, by, items) -> list[OrderBeneficiary]:
    """Replace the firms an order serves (the county while it may edit the order, or an administrator);
    call inside the caller's transaction, after the order is saved."""
    if not Order.objects.editable_by(by).filter(pk=order.pk).exists():
        raise WorkflowError(_("该需求当前不能修改受益企业。"), code="forbidden")
    rows = parse_beneficiaries(items)
    before = sorted(order.beneficiaries.values_list("name", flat=True))
    with transaction.atomic():
        order.beneficiaries.all().delete()
        for row in rows:
            row.order = order
        OrderBeneficiary.objects.bulk_create(rows)
        after = sorted(row.name for row in rows)
        if before != after:
            log_event(
                order,
                EventKind.EDITED,
                by,
                note=_("受益企业：%(names)s") % {"names": "、".join(after) or "—"},
            )
    return list(order.beneficiaries.all())


def record_firm_outcomes(order: Order, *, by, splits) -> list[OrderBeneficiary]:
    """The taking body (or an administrator) splits the outcome per firm: `splits` is a list of
    `{"beneficiary": id, "amount_financed_yuan": int|None, "agreement_signed": bool, "note": str}`."""
    scope = Scope.for_user(by) if by is not None else None
    if not (
        workflow.actor_may(workflow.TAKING_BODY, scope, order)
        or workflow.actor_may(workflow.ADMIN, scope, order)
    ):
        raise WorkflowError(_("只有接单部门可以登记各企业的对接成果。"), code="forbidden")
    if order.state not in OUTCOME_STATES:
        raise WorkflowError(_("需求进入对接或解决后才能登记各企业的成果。"), code="illegal_transition")
    rows = {row.pk: row for row in order.beneficiaries.all()}
    problems, changed = [], []
    for index, split in enumerate(splits or []):
        row = rows.get(split.get("beneficiary")) if isinstance(split, dict) else None
        if row is None:
            problems.append(_problem(index, _("不是该需求的受益企业")))
            continue
        amount = split.get("amount_financed_yuan")
        if amount is not None and (not isinstance(amount, int) or amount < 0):
            problems.append(_problem(index, _("融资金额应为非负整数（元）")))
            continue
        row.amount_financed_yuan = amount
        row.agreement_signed = bool(split.get("agreement_signed"))
        row.outcome_note = str(split.get("note") or "").strip()[:300]
        changed.append(row)
    if problems:
        message = "；".join(problems)
        raise WorkflowError(_("企业成果有误：") + message, code="invalid", errors={"splits": message})
    with transaction.atomic():
        OrderBeneficiary.objects.bulk_update(
            changed, ["amount_financed_yuan", "agreement_signed", "outcome_note"]
        )
        if changed:
            summary = "、".join(
                f"{row.name}"
                + (f" {row.amount_financed_yuan / 10000:g} 万元" if row.amount_financed_yuan else "")
                + (" " + _("已签约") if row.agreement_signed else "")
                for row in changed
            )
            log_event(order, EventKind.COMMENTED, by, note=_("各企业对接成果：%(s)s") % {"s": summary})
    return list(order.beneficiaries.all())


def firms_served(orders) -> dict:
    """Firms the given orders served and financed: in total, per county and per chain. A firm is counted once
    per group (by its 统一社会信用代码, else its catalog id); financed = it got an amount on a resolved order."""
    rows = OrderBeneficiary.objects.filter(order__in=orders).values_list(
        "order__county_id", "order__county__name", "order__chain_id", "order__chain__name", "uscc", "enterprise_id",
        "amount_financed_yuan", "order__state",
    )  # fmt: skip
    total_served, total_financed = set(), set()
    counties: dict[int, dict] = {}
    chains: dict[int, dict] = {}
    for county_id, county_name, chain_id, chain_name, uscc, enterprise_id, amount, state in rows:
        firm = uscc or f"enterprise:{enterprise_id}"
        financed = bool(amount) and state == OrderState.RESOLVED
        for bucket, key, name in ((counties, county_id, county_name), (chains, chain_id, chain_name)):
            group = bucket.setdefault(key, {"name": name, "served": set(), "financed": set()})
            group["served"].add(firm)
            if financed:
                group["financed"].add(firm)
        total_served.add(firm)
        if financed:
            total_financed.add(firm)

    def table(bucket):
        return sorted(
            (
                {"id": k, "name": v["name"], "served": len(v["served"]), "financed": len(v["financed"])}
                for k, v in bucket.items()
            ),
            key=lambda r: (-r["served"], r["name"]),
        )

    return {
        "served": len(total_served),
        "financed": len(total_financed),
        "by_county": table(counties),
        "by_chain": table(chains),
    }


def white_listed_orders():
    """Ids of orders that serve a firm on the key-firm white list (by catalog firm or by its code), as a subquery."""
    codes = WhiteListEntry.objects.exclude(enterprise__uscc=None).values("enterprise__uscc")
    return (
        OrderBeneficiary.objects.filter(Q(enterprise__white_list__isnull=False) | Q(uscc__in=codes))
        .values("order_id")
        .distinct()
    )
