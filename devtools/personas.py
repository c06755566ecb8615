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
# The personas the demo orders and demo events are placed, taken and answered by.
DEMO_DATA_PERSONAS = (
    "county_jinjiang",
    "county_luoyuan",
    "body_kjt",
    "body_jrb",
    "bank_cib",
    "inst_dhu",
    "firm_demo",
    "admin",
)


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
    # Only when installed: a deployment may leave the challenges app (揭榜挂帅) out of INSTALLED_APPS.
    from challenges.demo import ensure_challenge_personas

    return ensure_challenge_personas(password_factory)


def app_personas() -> list[tuple[str, str]]:
    """(username, label) of the personas that domain apps add (揭榜挂帅's experts)."""
    if not apps.is_installed("challenges"):
        return []
    # Only when installed: a deployment may leave the challenges app (揭榜挂帅) out of INSTALLED_APPS.
    from challenges.demo import EXPERTS

    return [(username, spec[0]) for username, spec in EXPERTS.items()]


def all_personas() -> list[tuple[str, str]]:
    """(username, label) of every demo persona, in the order the table shows them."""
    return [(p.username, p.label) for p in PERSONAS] + app_personas()


def reset_persona_passwords(password: str) -> list[str]:
    """Set every existing persona's password to `password`; return the usernames changed."""
    changed = []
    usernames = [username for username, _label in all_personas()]
    for user in User.objects.filter(username__in=usernames).order_by("pk"):
        user.set_password(password)
        user.save(update_fields=["password"])
        changed.append(user.username)
    return changed


def persona_password_matches(password: str) -> bool | None:
    """Whether the demo accounts use `password` (checked on one of them: hashing is slow); None if none exist."""
    user = User.objects.filter(username__in=PERSONA_USERNAMES).order_by("pk").first()
    return None if user is None else user.check_password(password)


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def login_table(password: str | None, *, site_url: str, password_ok: bool | None = True) -> str:
    """The demo accounts as one table with their shared password, the addresses to open and how to reset."""
    personas = all_personas()
    existing = set(
        User.objects.filter(username__in=[u for u, _l in personas]).values_list("username", flat=True)
    )
    rows = [(username, label) for username, label in personas if username in existing]
    name_width = max([_width("用户名"), *(_width(u) for u, _label in rows)]) + 2
    label_width = max([_width("身份"), *(_width(label) for _u, label in rows)])
    rule = "─" * (name_width + label_width + 2)
    if password is None:
        shown = "（未设置 DEMO_PASSWORD：演示账号的密码只在创建时显示过一次）"
    elif password_ok is False:
        shown = f"{password}  ← 与现有演示账号不一致，请运行 python manage.py seed_demo --reset-passwords"
    else:
        shown = password
    links = [("网站", "/"), ("管理后台", "/admin/"), ("API 文档", "/api/docs/")]
    link_width = max(_width(label) for label, _path in links) + 2
    lines = [
        rule,
        f" 演示账号（全部使用同一个密码）  密码：{shown}",
        rule,
        f" {_pad('用户名', name_width)}身份",
        *(f" {_pad(username, name_width)}{label}" for username, label in rows),
        rule,
        *(f" {_pad(label, link_width)}{site_url.rstrip('/')}{path}" for label, path in links),
        " 密码取自 DEMO_PASSWORD（make run 生成并保存在 .env.local）；"
        "改过之后运行 python manage.py seed_demo --reset-passwords",
        rule,
    ]
    return "\n".join(lines)
