"""Security headers on every page, a Content-Security-Policy without inline scripts, and templates that need none."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
JSON_SCRIPT = re.compile(r'<script[^>]*type="application/(ld\+)?json"', re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "chains:directory", "api-docs"])
def test_pages_send_security_headers(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_api_docs_have_no_inline_script_and_no_cdn(client):
    body = client.get(reverse("api-docs")).content.decode()
    assert not INLINE_SCRIPT.search(body)
    assert "http://" not in body and "https://" not in body


def test_templates_have_no_inline_scripts_or_event_handlers():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in INLINE_SCRIPT.finditer(text):
            if not JSON_SCRIPT.match(match.group(0)):
                offenders.append(f"{path.relative_to(TEMPLATES)}: inline <script>")
        if EVENT_HANDLER.search(text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: on*= event handler")
    assert not offenders, "CSP forbids inline scripts; move them to static/js/: " + "; ".join(offenders)


def test_templates_load_nothing_from_other_hosts():
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in sorted(TEMPLATES.rglob("*.html"))
        if re.search(r"""(src|href)=["']https?://""", path.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"assets must be served by the site itself: {offenders}"
