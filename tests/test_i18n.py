"""English translation: the catalog is complete and well-formed, and pages switch language with the cookie."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import trans_real

from core.management.commands.compile_locale import catalogs

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")


def _english_catalogs() -> list[Path]:
    """The project catalog and each app's own English catalog (apps keep their strings in <app>/locale/)."""
    return [po for po in catalogs() if po.parent.parent.name == "en"]


# printf-style placeholders (%(name)s, %s, %d, %%) and str.format-style ones ({name}).
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]|%[sdif%]|\{[A-Za-z_][A-Za-z0-9_]*\}")
HTML_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)")
CJK = re.compile(r"[\u3400-\u9fff]+")


def _catalog(path: Path = PO_PATH):
    """An English catalog as parsed by Babel (the library compile_locale uses)."""
    with path.open("rb") as handle:
        return read_po(handle, locale="en")


def _messages():
    """Every real entry of every English catalog (not the headers)."""
    return [m for path in _english_catalogs() for m in _catalog(path) if m.id]


def _label(message):
    """A readable name for an entry in failure messages."""
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context + ' | ' if message.context else ''}{msgid!r}"


def _pairs(message):
    """(source, translation) pairs to compare, one per plural form for plural entries."""
    if isinstance(message.id, tuple):
        singular, plural = message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        return [(singular if index == 0 else plural, text) for index, text in enumerate(strings)]
    return [(message.id, message.string)]


@pytest.fixture(scope="module")
def compiled_catalog():
    """Make sure the .mo exists and is current (a clean clone has none), then drop Django's cached catalogs."""
    stale = [
        po
        for po in _english_catalogs()
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        call_command("compile_locale", verbosity=0)
        trans_real._translations = {}
        trans_real._default = None
    assert MO_PATH.exists()


def test_catalog_header_is_usable():
    for path in _english_catalogs():
        catalog = _catalog(path)
        assert not catalog.fuzzy, f"the catalog header of {path} is marked fuzzy"
        assert catalog.num_plurals == 2, path
    assert len(_messages()) > 500


def test_every_entry_is_translated_and_not_fuzzy():
    fuzzy = [_label(m) for m in _messages() if m.fuzzy]
    untranslated = [_label(m) for m in _messages() if not all(text for _source, text in _pairs(m))]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries (not compiled): {fuzzy[:20]}"
    assert not untranslated, f"{len(untranslated)} untranslated entries: {untranslated[:20]}"


def test_plural_entries_have_both_english_forms():
    plurals = [m for m in _messages() if isinstance(m.id, tuple)]
    assert plurals
    for message in plurals:
        assert isinstance(message.string, tuple) and len(message.string) == 2, _label(message)


def test_translations_keep_placeholders_and_tags():
    problems = []
    for message in _messages():
        for source, text in _pairs(message):
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                problems.append(f"placeholders differ in {_label(message)}: {text!r}")
            if sorted(HTML_TAG.findall(source)) != sorted(HTML_TAG.findall(text)):
                problems.append(f"HTML tags differ in {_label(message)}: {text!r}")
    assert not problems, "\n".join(problems)


def test_translations_are_english():
    leftover = [_label(m) for m in _messages() for _source, text in _pairs(m) if CJK.search(text)]
    assert not leftover, f"Chinese left in English translations: {leftover[:20]}"


def _get(client, url, language=None, **headers):
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_home_page_in_english_with_language_cookie(client, compiled_catalog):
    html = _get(client, reverse("home"), language="en")
    assert '<html lang="en">' in html
    assert "Four-Chain Matchmaking Platform" in html
    assert "Chain directory" in html
    assert "Browse the chain directory" in html
    assert "Prefecture cities" in html
    # Nothing Chinese on the home page except the switcher's label for going back to Chinese.
    assert set(CJK.findall(html)) <= {"中文"}, set(CJK.findall(html))


@pytest.mark.django_db
def test_chain_directory_in_english_with_language_cookie(client, compiled_catalog):
    html = _get(client, reverse("chains:directory"), language="en")
    assert "Directory of county key industry chains" in html
    assert "Chain directory" in html
    assert "县域重点产业链目录" not in html
    assert "产业链目录" not in html


@pytest.mark.django_db
def test_pages_stay_chinese_by_default(client, compiled_catalog):
    # The browser's Accept-Language is ignored: only the switcher's cookie selects English.
    home = _get(client, reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="zh-hans">' in home
    assert "产业链目录" in home
    assert "Chain directory" not in home
    directory = _get(client, reverse("chains:directory"))
    assert "县域重点产业链目录" in directory
    assert "Directory of county key industry chains" not in directory
