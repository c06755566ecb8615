"""`{% nav_items %}` and `{% nav_user %}`: the navigation bar's entries and user menu of every page, built in Python.

The base template included `includes/nav_items.html` (with the `orders_nav` and `chains_nav` inclusion tags)
and `includes/nav_user.html`: four templates, some sixty nodes and twenty-five translations rendered on every
page (~1 ms). Here the same markup, character for character, is written with the translated labels and the
URLs (names without arguments) looked up once per process and language; what varies per request (the user's
name and organization, the role's entries, the unread count, the CSRF field) is read as the templates read it
and escaped as their autoescaping did. `tests/matchmaking/test_page_nav.py` keeps the former templates and
compares both for each kind of user, in both languages.
"""

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.core.signals import setting_changed
from django.template.base import render_value_in_context
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from accounts.scoping import Scope
from chains import policy as chains_policy
from chains.scoping import scope_of
from core.templatetags.fixed_urls import fixed_url
from matchmaking.unread import unread_count

register = template.Library()

# (label, URL name) of each link, by key; the labels are msgids of the former templates.
_LINKS = {
    "challenges": ("揭榜挂帅", "challenges:index"),
    "dashboards": ("数据看板", "dashboards:index"),
    "devindex": ("发展指数", "devindex:ranking"),
    "events": ("对接活动", "events:list"),
    "workbench": ("工作台", "orders:workbench"),
    "county": ("我的需求", "orders:county"),
    "create": ("开单", "orders:create"),
    "queue": ("待接单", "orders:queue"),
    "taken": ("本部门接单", "orders:taken"),
    "city": ("所辖县域需求", "orders:city"),
    "open": ("需求大厅", "orders:open"),
    "matched": ("为我匹配", "orders:matched"),
    "responses": ("我的响应", "orders:responses"),
    "mine": ("资料维护", "profiles:mine"),
    "moderation": ("需求审核", "orders:moderation"),
    "list": ("需求总览", "orders:list"),
    "inbox": ("消息", "orders:inbox"),
    "registry": ("重点产业链", "chains:registry"),
    "white_list": ("白名单", "chains:white_list"),
    "profile": ("个人信息", "accounts:profile"),
    "organization": ("我的组织", "accounts:organization"),
    "organization_manager": ("我的组织（成员管理）", "accounts:organization"),
    "approvals": ("注册审核", "accounts:approvals"),
    "admin": ("管理后台", "admin:index"),
    "password": ("修改密码", "accounts:password_change"),
    "logout": ("退出登录", "accounts:logout"),
    "login": ("登录", "accounts:login"),
    "signup": ("申请账号", "accounts:signup"),
}

_PIECES: dict[tuple, dict[str, str]] = {}


def _clear(**kwargs) -> None:
    _PIECES.clear()


setting_changed.connect(_clear, dispatch_uid="matchmaking.templatetags.page_nav")


def _pieces() -> dict[str, str]:
    """The fixed markup of the entries for the current language, script prefix and URL conf (once per process)."""
    key = (get_language(), get_script_prefix(), get_urlconf())
    pieces = _PIECES.get(key)
    if pieces is None:
        texts = {name: gettext(msgid) for name, (msgid, _url) in _LINKS.items()}
        urls = {name: conditional_escape(fixed_url(url)) for name, (_msgid, url) in _LINKS.items()}
        inboxes, plus = '<i class="bi bi-inboxes"></i> ', '<i class="bi bi-plus-circle"></i> '

        def item(name, icon=""):
            return (
                f'<li class="nav-item"><a class="nav-link" href="{urls[name]}">{icon}{texts[name]}</a></li>'
            )

        def menu(name, icon):
            return f'<li><a class="dropdown-item" href="{urls[name]}"><i class="bi bi-{icon}"></i> {texts[name]}</a></li>'

        pieces = {
            "public": f"\n{item('challenges')}\n",
            "signed_in": f"{item('dashboards')}\n{item('devindex')}",
            "events": item("events"),
            "workbench": f"\n  {item('workbench', inboxes)}\n",
            "county": f"\n  {item('county')}\n  {item('create', plus)}\n",
            "body": f"\n  {item('queue')}\n  {item('taken')}\n",
            "city": f"\n  {item('city')}\n",
            "provider": f"\n  {item('open')}\n  {item('matched')}\n  {item('responses')}\n  {item('mine')}\n",
            "admin": f"\n  {item('moderation')}\n  {item('list')}\n",
            "inbox": (
                f'\n  <li class="nav-item"><a class="nav-link" href="{urls["inbox"]}" data-testid="inbox-link">'
                f'<i class="bi bi-bell"></i> {texts["inbox"]}'
            ),
            "registry": item("registry"),
            "white_list": item("white_list"),
            "profile": menu("profile", "person"),
            "organization_head": f'<li><a class="dropdown-item" href="{urls["organization"]}"><i class="bi bi-people"></i> ',
            "organization": texts["organization"],
            "organization_manager": texts["organization_manager"],
            "approvals": menu("approvals", "person-check"),
            "admin_site": menu("admin", "gear"),
            "password": menu("password", "key"),
            "logout_head": f'<li><form method="post" action="{urls["logout"]}">',
            "logout_tail": (
                f'<button class="dropdown-item" type="submit"><i class="bi bi-box-arrow-right"></i> '
                f"{texts['logout']}</button></form></li>"
            ),
            "anonymous": (
                f'\n  <li class="nav-item"><a class="nav-link" href="{urls["login"]}">'
                f'<i class="bi bi-box-arrow-in-right"></i> {texts["login"]}</a></li>\n  {item("signup")}\n'
            ),
        }
        if len(_PIECES) >= 64:  # bounded: languages x script prefixes
            _PIECES.clear()
        _PIECES[key] = pieces
    return pieces


def _authenticated(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _organization(user):
    """`user.organization` as the template read it (None when missing)."""
    try:
        return user.organization
    except ObjectDoesNotExist:
        return None


def _orders_nav(context, pieces) -> str:
    """What the `orders_nav` inclusion tag rendered (`matchmaking/_nav.html`)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "\n"
    scope = Scope.for_user(user)
    unread = unread_count(user)
    if scope.is_county:
        role = pieces["county"]
    elif scope.is_body:
        role = pieces["body"]
    elif scope.is_city:
        role = pieces["city"]
    elif scope.is_provider:
        role = pieces["provider"]
    elif scope.is_admin:
        role = pieces["admin"]
    else:
        role = ""
    badge = (
        f' <span class="badge rounded-pill text-bg-danger" data-testid="unread-count">'
        f"{render_value_in_context(unread, context)}</span>"
        if unread
        else ""
    )
    return f"{pieces['workbench']}{role}{pieces['inbox']}{badge}</a></li>\n\n"


def _chains_nav(context, pieces) -> str:
    """What the `chains_nav` inclusion tag rendered (`chains/_nav.html`)."""
    user = context.get("user")
    scope = scope_of(user)
    registry = bool(
        scope is not None
        and scope.active
        and (scope.is_admin or scope.is_county or scope.is_city or scope.is_body)
    )
    white_list = chains_policy.may_see_white_list(user)
    return f"{pieces['registry'] if registry else ''}{pieces['white_list'] if white_list else ''}\n"


@register.simple_tag(takes_context=True)
def nav_items(context) -> SafeString:
    """The entries of the navigation bar (the former `includes/nav_items.html`)."""
    pieces = _pieces()
    signed_in = _authenticated(context.get("user"))
    html = (
        f"{pieces['public']}{pieces['signed_in'] if signed_in else ''}\n{pieces['events'] if signed_in else ''}\n"
        f"{_orders_nav(context, pieces)}\n{_chains_nav(context, pieces)}\n"
    )
    return mark_safe(html)  # noqa: S308 - translations and URLs as the templates wrote them, values escaped


def _csrf_field(context) -> str:
    """`{% csrf_token %}`."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":  # noqa: S105 - Django's marker, not a password
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{conditional_escape(token)}">'


@register.simple_tag(takes_context=True)
def nav_user(context) -> SafeString:
    """The user menu, or the login and sign-up links (the former `includes/nav_user.html`)."""
    pieces = _pieces()
    user = context.get("user")
    if not _authenticated(user):
        return mark_safe(f"{pieces['anonymous']}\n")  # noqa: S308 - translations and URLs
    english = context.get("LANGUAGE_CODE") == "en"
    org = _organization(user)
    org_name = conditional_escape(org.name) if org else ""
    parts = [
        '\n  <li class="nav-item dropdown">\n'
        '    <a class="nav-link dropdown-toggle" href="#" role="button" data-bs-toggle="dropdown" aria-expanded="false">\n'
        f'      <i class="bi bi-person-circle"></i> {conditional_escape(user.display_name)}'
    ]
    if org:
        parts.append(
            f' <span class="small text-white-50{" d-xl-none d-xxl-inline" if english else ""}">· {org_name}</span>'
        )
    parts.append('\n    </a>\n    <ul class="dropdown-menu dropdown-menu-end">\n      ')
    if org and english:
        parts.append(
            f'<li class="d-none d-xl-block d-xxl-none"><h6 class="dropdown-header text-wrap">{org_name}</h6></li>'
        )
    parts.append(f"\n      {pieces['profile']}\n      ")
    if org and org.is_active:
        label = pieces["organization_manager"] if user.is_manager else pieces["organization"]
        parts.append(f"{pieces['organization_head']}{label}</a></li>")
    parts.append("\n      ")
    if user.is_platform_admin:
        parts.append(pieces["approvals"])
    parts.append("\n      ")
    if user.is_staff:
        parts.append(pieces["admin_site"])
    parts.append(
        f'\n      {pieces["password"]}\n      <li><hr class="dropdown-divider"></li>\n      '
        f"{pieces['logout_head']}{_csrf_field(context)}{pieces['logout_tail']}\n    </ul>\n  </li>\n\n"
    )
    return mark_safe("".join(parts))  # noqa: S308 - translations and URLs as the templates wrote them, values escaped
