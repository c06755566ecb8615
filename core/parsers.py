"""The API's JSON parser: malformed, absurdly nested or huge-number JSON answers 400 in the error shape, never
500 (Python's decoder raises RecursionError on deep nesting, which DRF's parser does not catch)."""

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32  # objects and arrays inside each other; the API's deepest body needs 3


def nesting_depth(text: str) -> int:
    """The deepest nesting of [ and { outside strings, found in one pass without recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


class SafeJSONParser(JSONParser):
    """DRF's JSON parser with a nesting limit (`API_JSON_MAX_DEPTH`, default 32) checked before decoding."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(_("请求体不是有效的 UTF-8 文本。")) from exc
        limit = getattr(settings, "API_JSON_MAX_DEPTH", MAX_DEPTH)
        if nesting_depth(text) > limit:
            raise ParseError(_("JSON 嵌套过深（最多 %(n)s 层）。") % {"n": limit})
        try:
            return json.loads(text, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("请求体不是有效的 JSON。")) from exc


def _reject_constant(name: str):
    raise ValueError(name)  # NaN and Infinity are not JSON
