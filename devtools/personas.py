"""Demo personas shared by `seed_demo` and the tests: one user per role, fixed usernames."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps

from accounts.choices import MemberRole, OrgKind, ProviderKind
from accounts.models import Organization, User
from chains.models import FinancialProduct


@dataclass(frozen=True)
class Persona:
    """A demo user and the organization they act for."""

    username: str
    label: str
    org_name: str
    org_kind: str
    last_name: str
    first_name: str
    org_links: dict = field(default_factory=dict)
    provider_kind: str = ""
    product_provider: str = ""  # banks: the catalog products whose provider is this name
    superuser: bool = False


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "county_jinjiang",
        "晋江市县域官员",
        "晋江市人民政府",
        OrgKind.COUNTY,
        "陈",
        "晋",
        {"county": ("chains.County", {"name": "晋江市"})},
    ),
    Persona(
        "county_luoyuan",
        "罗源县县域官员",
        "罗源县人民政府",
        OrgKind.COUNTY,
        "林",
        "源",
        {"county": ("chains.County", {"name": "罗源县"})},
    ),
    Persona(
        "city_quanzhou",
        "泉州市协调员",
        "泉州市人民政府",
        OrgKind.CITY,
        "黄",
        "泉",
        {"prefecture": ("chains.Prefecture", {"name": "泉州市"})},
    ),
    Persona(
        "body_kjt",
        "省科技厅接单人",
        "福建省科学技术厅",
        OrgKind.BODY,
        "吴",
        "科",
        {"provincial_body": ("chains.ProvincialBody", {"short_name": "省科技厅"})},
    ),
    Persona(
        "body_jrb",
        "省委金融办接单人",
        "中共福建省委金融委员会办公室",
        OrgKind.BODY,
        "郑",
        "融",
        {"provincial_body": ("chains.ProvincialBody", {"short_name": "省委金融办"})},
    ),
    Persona(
        "body_gxt",
        "省工信厅（认定县域重点产业链）",
        "福建省工业和信息化厅",
        OrgKind.BODY,
        "许",
        "工",
        {"provincial_body": ("chains.ProvincialBody", {"short_name": "省工信厅"})},
    ),
    Persona(
        "bank_cib",
        "兴业银行客户经理",
        "兴业银行福建省分行",
        OrgKind.PROVIDER,
        "王",
        "兴",
        provider_kind=ProviderKind.BANK,
        product_provider="兴业银行",
    ),
    Persona(
        "inst_dhu",
        "东华大学对接人",
        "东华大学",
        OrgKind.PROVIDER,
        "李",
        "华",
        {"institution": ("chains.Institution", {"name": "东华大学"})},
        provider_kind=ProviderKind.INSTITUTION,
    ),
    Persona(
        "firm_demo",
        "链上企业对接人",
        "晋江针织面料企业（示例）",
        OrgKind.PROVIDER,
        "张",
        "企",
        {"enterprise": ("chains.Enterprise", {"name": "晋江针织面料企业（示例）"})},
        provider_kind=ProviderKind.ENTERPRISE,
    ),
    Persona(
        "admin",
        "平台管理员（超级用户）",
        "四链对接平台管理方",
        OrgKind.PLATFORM,
        "平台",
        "管理员",
        superuser=True,
    ),
)

PERSONA_USERNAMES = tuple(p.username for p in PERSONAS)


def ensure_organization(persona: Persona) -> Organization:
    """Get or create the persona's organization, tied to its catalog or region row."""
    links = {}
    for attr, (model_label, lookup) in persona.org_links.items():
        links[attr] = apps.get_model(model_label).objects.get(**lookup)
    org, created = Organization.objects.get_or_create(
        name=persona.org_name,
        is_active=True,  # a pending application for the same name is somebody else's
        defaults={"kind": persona.org_kind, "provider_kind": persona.provider_kind, **links},
    )
    if created and persona.product_provider:
        org.financial_products.set(FinancialProduct.objects.filter(provider=persona.product_provider))
    return org


def ensure_personas(password_factory: Callable[[], str]) -> list[tuple[str, str, str]]:
    """Create the missing personas (reference data must be loaded); return (username, label, password) created."""
    created = []
    for persona in PERSONAS:
        org = ensure_organization(persona)
        if User.objects.filter(username=persona.username).exists():
            continue
        secret = password_factory()
        user = User(
            username=persona.username,
            email=f"{persona.username}@example.com",
            organization=org,
            role=MemberRole.MANAGER,
            last_name=persona.last_name,
            first_name=persona.first_name,
            phone="13800000000",
            is_staff=persona.superuser,
            is_superuser=persona.superuser,
        )
        user.set_password(secret)
        user.save()
        created.append((persona.username, persona.label, secret))
    return created + ensure_app_personas(password_factory)


def ensure_app_personas(password_factory: Callable[[], str]) -> list[tuple[str, str, str]]:
    """Personas of the roles that domain apps add (揭榜挂帅: review experts and a second bidding institution)."""
    if not apps.is_installed("challenges"):
        return []
    from challenges.demo import ensure_challenge_personas

    return ensure_challenge_personas(password_factory)
