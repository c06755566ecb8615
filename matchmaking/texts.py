"""Texts the platform writes (notification titles, timeline notes) stored as a code with parameters and
rendered in the reader's language: `{"code": msgid, "params": {...}}`.

The code is the Chinese source string (a gettext msgid with %(name)s placeholders). A parameter is either data,
kept as it is (names, dates, user text), or `{"t": msgid}` — wording translated when rendered — or a list of
those, joined with the language's list separator. Rows written before this existed keep their plain text.
"""

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from engine.reasons import render_reasons

__all__ = ["gettext_noop", "message", "msgid_of", "render", "render_in", "translatable"]


def msgid_of(text) -> str:
    """The source string of a lazy translation (a field's verbose_name, a choice label)."""
    with translation.override(None):
        return str(text)


def translatable(msgid) -> dict:
    """A parameter translated at render time (a msgid, or a lazy translation whose msgid is taken)."""
    return {"t": msgid_of(msgid)}


def message(code: str, **params) -> dict:
    """A text to render later, per reader."""
    return {"code": str(code), "params": params}


def _param(value, translate=gettext):
    if isinstance(value, dict) and "t" in value:
        return translate(value["t"])
    if isinstance(value, dict) and "code" in value:
        return render(value, translate=translate)
    if isinstance(value, dict) and "reasons" in value:  # a match's structured reasons (engine/reasons.py)
        return translate("；").join(render_reasons(value["reasons"], translate))
    if isinstance(value, list):
        return translate("、").join(str(_param(item, translate)) for item in value)
    return value


def render(text: dict | None, fallback: str = "", translate=gettext) -> str:
    """The text in the active language; `fallback` (the stored plain text) when there is no code. `translate`
    is gettext, or a memo of it for a page rendering many texts (rows.InboxTexts.translate)."""
    if not text or not text.get("code"):
        return fallback
    template = translate(text["code"])
    params = {key: _param(value, translate) for key, value in (text.get("params") or {}).items()}
    try:
        return template % params if params else template
    except (KeyError, ValueError, TypeError):
        return fallback or text["code"]


def render_in(language: str, text: dict | None, fallback: str = "") -> str:
    """The text in `language` (for the stored plain copy and for e-mails)."""
    with translation.override(language):
        return render(text, fallback)
