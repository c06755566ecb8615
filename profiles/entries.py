"""Which catalog entries a provider organization stands for, and which of their fields it may edit."""

from dataclasses import dataclass

from chains.models import Enterprise, FinancialProduct, Fund, Institution, TalentResource
from matchmaking.choices import ResourceType

MODELS = {
    ResourceType.INSTITUTION: Institution,
    ResourceType.ENTERPRISE: Enterprise,
    ResourceType.FUND: Fund,
    ResourceType.FINANCIAL_PRODUCT: FinancialProduct,
    ResourceType.TALENT_RESOURCE: TalentResource,
}
# What a provider keeps up to date itself (its name, region and kind stay with the administrators)
EDITABLE = {
    ResourceType.INSTITUTION: ("fields", "description"),
    ResourceType.ENTERPRISE: ("products", "description"),
    ResourceType.FUND: ("focus", "stage", "description"),
    ResourceType.FINANCIAL_PRODUCT: ("max_amount_yuan", "term_months", "collateral", "target", "description"),
    ResourceType.TALENT_RESOURCE: ("fields", "description"),
}
# The org's foreign key that names its (single) entry of each type
ORG_FIELDS = {
    ResourceType.INSTITUTION: "institution_id",
    ResourceType.ENTERPRISE: "enterprise_id",
    ResourceType.FUND: "fund_id",
    ResourceType.TALENT_RESOURCE: "talent_resource_id",
}


@dataclass(frozen=True)
class Entry:
    """One catalog entry of an organization: its type and row."""

    resource_type: str
    obj: object

    @property
    def label(self) -> str:
        """The entry's type, for people."""
        return ResourceType(self.resource_type).label


def entries_of(org) -> list[Entry]:
    """The catalog entries `org` stands for (its institution, enterprise, fund, talent resource, products)."""
    if org is None:
        return []
    out = []
    for rtype, attr in ORG_FIELDS.items():
        pk = getattr(org, attr)
        if pk:
            obj = MODELS[rtype].objects.filter(pk=pk).first()
            if obj is not None:
                out.append(Entry(rtype, obj))
    out += [Entry(ResourceType.FINANCIAL_PRODUCT, p) for p in org.financial_products.order_by("name")]
    return out


def entry_of(org, resource_type: str, pk: int) -> Entry | None:
    """The organization's entry of that type and id, or None when it does not stand for it."""
    if org is None or resource_type not in MODELS:
        return None
    if resource_type == ResourceType.FINANCIAL_PRODUCT:
        obj = org.financial_products.filter(pk=pk).first()
    elif getattr(org, ORG_FIELDS[resource_type]) == pk:
        obj = MODELS[resource_type].objects.filter(pk=pk).first()
    else:
        obj = None
    return Entry(resource_type, obj) if obj is not None else None
