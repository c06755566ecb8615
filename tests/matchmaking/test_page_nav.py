"""`{% nav_items %}` and `{% nav_user %}` (matchmaking.templatetags.page_nav) render, character for character, what
the base template's former includes rendered: every role, the unread badge, staff, platform admin, manager,
an inactive organization, none, anonymous, names to escape, in both languages."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from accounts.choices import MemberRole
from accounts.models import Organization, User
from matchmaking.choices import NotificationKind
from matchmaking.models import Notification

# includes/nav_items.html and includes/nav_user.html as they were before page_nav.
NAV_ITEMS = """{% load i18n fixed_urls %}
<li class="nav-item"><a class="nav-link" href="{% fixed_url 'challenges:index' %}">{% translate "揭榜挂帅" %}</a></li>
{% if user.is_authenticated %}<li class="nav-item"><a class="nav-link" href="{% fixed_url 'dashboards:index' %}">{% translate "数据看板" %}</a></li>
<li class="nav-item"><a class="nav-link" href="{% fixed_url 'devindex:ranking' %}">{% translate "发展指数" %}</a></li>{% endif %}
{% if user.is_authenticated %}<li class="nav-item"><a class="nav-link" href="{% fixed_url 'events:list' %}">{% translate "对接活动" %}</a></li>{% endif %}
{% load orders_tags %}{% orders_nav %}
{% load chains_tags %}{% chains_nav %}
"""

NAV_USER = """{% load i18n fixed_urls %}{% if user.is_authenticated %}
  <li class="nav-item dropdown">
    <a class="nav-link dropdown-toggle" href="#" role="button" data-bs-toggle="dropdown" aria-expanded="false">
      <i class="bi bi-person-circle"></i> {{ user.display_name }}{% if user.organization %} <span class="small text-white-50{% if LANGUAGE_CODE == "en" %} d-xl-none d-xxl-inline{% endif %}">· {{ user.organization.name }}</span>{% endif %}
    </a>
    <ul class="dropdown-menu dropdown-menu-end">
      {% if user.organization and LANGUAGE_CODE == "en" %}<li class="d-none d-xl-block d-xxl-none"><h6 class="dropdown-header text-wrap">{{ user.organization.name }}</h6></li>{% endif %}
      <li><a class="dropdown-item" href="{% fixed_url 'accounts:profile' %}"><i class="bi bi-person"></i> {% translate "个人信息" %}</a></li>
      {% if user.organization and user.organization.is_active %}<li><a class="dropdown-item" href="{% fixed_url 'accounts:organization' %}"><i class="bi bi-people"></i> {% if user.is_manager %}{% translate "我的组织（成员管理）" %}{% else %}{% translate "我的组织" %}{% endif %}</a></li>{% endif %}
      {% if user.is_platform_admin %}<li><a class="dropdown-item" href="{% fixed_url 'accounts:approvals' %}"><i class="bi bi-person-check"></i> {% translate "注册审核" %}</a></li>{% endif %}
      {% if user.is_staff %}<li><a class="dropdown-item" href="{% fixed_url 'admin:index' %}"><i class="bi bi-gear"></i> {% translate "管理后台" %}</a></li>{% endif %}
      <li><a class="dropdown-item" href="{% fixed_url 'accounts:password_change' %}"><i class="bi bi-key"></i> {% translate "修改密码" %}</a></li>
      <li><hr class="dropdown-divider"></li>
      <li><form method="post" action="{% fixed_url 'accounts:logout' %}">{% csrf_token %}<button class="dropdown-item" type="submit"><i class="bi bi-box-arrow-right"></i> {% translate "退出登录" %}</button></form></li>
    </ul>
  </li>
{% else %}
  <li class="nav-item"><a class="nav-link" href="{% fixed_url 'accounts:login' %}"><i class="bi bi-box-arrow-in-right"></i> {% translate "登录" %}</a></li>
  <li class="nav-item"><a class="nav-link" href="{% fixed_url 'accounts:signup' %}">{% translate "申请账号" %}</a></li>
{% endif %}
"""

FORMER = Template(NAV_ITEMS + "|" + NAV_USER)
NEW = Template("{% load page_nav %}{% nav_items %}|{% nav_user %}")


def _render(template, user, language, csrf_token):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    context = {"request": request, "user": request.user, "LANGUAGE_CODE": language, "csrf_token": csrf_token}
    with translation.override(language):
        return template.render(Context(context))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("csrf_token", ["tok<&>en", "NOTPROVIDED", ""])
def test_nav_tags_render_as_the_former_templates(
    language,
    csrf_token,
    county_jinjiang,
    city_quanzhou,
    body_kjt,
    bank_cib,
    inst_dhu,
    firm_demo,
    platform_admin,
):
    users = [None, county_jinjiang, city_quanzhou, body_kjt, bank_cib, inst_dhu, firm_demo, platform_admin]
    for user in users[1:]:
        fresh = User.objects.select_related("organization").get(pk=user.pk)
        assert _render(NEW, fresh, language, csrf_token) == _render(FORMER, fresh, language, csrf_token)
    assert _render(NEW, None, language, csrf_token) == _render(FORMER, None, language, csrf_token)


def test_nav_tags_with_unread_staff_member_and_names_to_escape(county_jinjiang, bank_cib):
    org = county_jinjiang.organization
    Organization.objects.filter(pk=org.pk).update(name='A & B <i>"x"</i>')
    User.objects.filter(pk=county_jinjiang.pk).update(
        last_name="<b>", first_name="&", role=MemberRole.MEMBER, is_staff=True
    )
    for n in range(3):
        Notification.objects.create(
            recipient=county_jinjiang, kind=NotificationKind.SUBMITTED, title=f"t{n}", body=""
        )
    seen = set()
    for language in ("zh-hans", "en"):
        user = User.objects.select_related("organization").get(pk=county_jinjiang.pk)
        new = _render(NEW, user, language, "t")
        assert new == _render(FORMER, User.objects.get(pk=county_jinjiang.pk), language, "t")
        assert 'data-testid="unread-count">3<' in new and "&lt;b&gt;&amp;" in new
        seen.add(new)
    # an organization switched off, a user without one
    Organization.objects.filter(pk=org.pk).update(is_active=False)
    User.objects.filter(pk=bank_cib.pk).update(organization=None)
    for pk in (county_jinjiang.pk, bank_cib.pk):
        for language in ("zh-hans", "en"):
            new = _render(NEW, User.objects.get(pk=pk), language, "t")
            assert new == _render(FORMER, User.objects.get(pk=pk), language, "t")
            seen.add(new)
    assert len(seen) == 6
