"""The demo site in English has no Chinese outside data: every persona walks its pages with the English cookie.

Data (names of places, chains, organizations and people, order text, notes users wrote, catalog text) is
whatever the database holds: each stored text value is removed from the page before the scan, so what is
left in Chinese is the site's own wording, which must be translated.
"""

import html
import re
from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.urls import Resolver404, resolve

from devtools.personas import PERSONA_USERNAMES

CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]+")
HAN = re.compile(r"[\u3400-\u9fff]")
LINK = re.compile(r'href="(/[^"#]*)"')
SKIP_PREFIXES = ("/static/", "/media/", "/admin/", "/api/", "/i18n/", "/accounts/logout", "/metrics", "/ops/")
SKIP_NAMES = {"export", "download", "attachment"}  # files, not pages
PAGES_PER_NAME = 2
ALLOWED = {"中文"}  # the language switcher's way back


def _data_strings() -> list[str]:
    """Every stored text value (and its parts split on common separators), longest first."""
    from matchmaking.models import Notification, OrderEvent

    found = set()
    for model in apps.get_models():
        fields = [
            f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)
        ]
        json_fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]
        # The platform's own words stored beside their codes are not data: they must render translated.
        if model is Notification:
            fields = [f for f in fields if f not in {"title", "body"}]
            json_fields = []
            found.update(_plain(Notification.objects.filter(body_message={}).values_list("body", flat=True)))
        elif model is OrderEvent:
            fields = [f for f in fields if f != "note"]
            found.update(_plain(OrderEvent.objects.filter(note_message={}).values_list("note", flat=True)))
        if not fields and not json_fields:
            continue
        for row in model.objects.values_list(*fields, *json_fields).iterator():
            for value in row:
                for text in _texts(value):
                    if HAN.search(text):
                        found.add(text)
                        found.update(p for p in re.split(r"[；;、，,\s]+", text) if HAN.search(p))
    return sorted(found, key=len, reverse=True)


def _plain(values) -> set[str]:
    return {v for v in values if v and HAN.search(v)}


def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _visible_text(page: str) -> str:
    page = re.sub(r"<script\b.*?</script>", " ", page, flags=re.S)
    page = re.sub(r"<style\b.*?</style>", " ", page, flags=re.S)
    attrs = " ".join(re.findall(r'(?:title|placeholder|aria-label|alt|value)="([^"]*)"', page))
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + attrs)


@pytest.mark.django_db
def test_english_pages_have_no_chinese_outside_data(client, personas):
    call_command("seed_demo_orders", verbosity=0)
    data = _data_strings()
    leftovers = defaultdict(set)
    for username in ["anonymous", *PERSONA_USERNAMES]:
        client.logout()  # (also drops the cookies)
        if username != "anonymous":
            client.force_login(personas[username], backend="django.contrib.auth.backends.ModelBackend")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        queue, seen, per_name = ["/"], set(), defaultdict(int)
        for start in ("/orders/", "/dashboards/", "/accounts/profile/", "/orders/inbox/", "/chains/"):
            queue.append(start)
        while queue:
            url = queue.pop(0)
            if url in seen or url.startswith(SKIP_PREFIXES):
                continue
            seen.add(url)
            try:
                match = resolve(urlsplit(url).path)
            except Resolver404:
                continue
            name = match.view_name
            if any(part in name for part in SKIP_NAMES) or per_name[name] >= PAGES_PER_NAME:
                continue
            per_name[name] += 1
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            page = response.content.decode()
            text = _visible_text(page)
            for value in data:
                if value in text:
                    text = text.replace(value, " ")
            for run in CJK.findall(text):
                if HAN.search(run) and run not in ALLOWED:
                    leftovers[run].add(f"{username} {name}")
            queue.extend(u for u in LINK.findall(page) if u not in seen)
    report = "\n".join(f"{run!r}: {sorted(where)[:3]}" for run, where in sorted(leftovers.items()))
    assert not leftovers, f"{len(leftovers)} Chinese strings left on English pages:\n{report}"
