"""The permission matrix registry: for every URL name, how to build its URL and what each persona gets.

Each module in this package defines `ACCESS = {"namespace:name": Access(...)}`; `collect()` merges them.
`tests/test_permission_matrix.py` fails when a URL of the project has no entry here, so adding a page means
saying who may open it. Personas are the fixed demo users (`devtools.personas`) plus `anonymous`.

Expected statuses: 200 page, 302 redirect (anonymous → login page, or a done-redirect after a POST), 404
outside scope or role, 405 wrong method. Build them with `rule()`, `public()`, `logged_in()` and `only()`.
"""

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from devtools.personas import PERSONA_USERNAMES

ANONYMOUS = "anonymous"
PERSONAS: tuple[str, ...] = (ANONYMOUS, *PERSONA_USERNAMES)


@dataclass(frozen=True)
class Access:
    """One URL's expectations: status per persona, how to build its kwargs, and the request to send."""

    expect: Mapping[str, int]
    kwargs: Callable[[dict], dict] | None = None  # personas (username → User) → URL kwargs; may create rows
    method: str = "get"
    data: Mapping = field(default_factory=dict)
    query: str = ""


def rule(default: int, **overrides: int) -> dict[str, int]:
    """`default` for every persona (anonymous included) except the ones named."""
    unknown = set(overrides) - set(PERSONAS)
    if unknown:
        raise ValueError(f"unknown personas: {sorted(unknown)}")
    return {name: overrides.get(name, default) for name in PERSONAS}


def public(status: int = 200) -> dict[str, int]:
    """The same for everyone."""
    return rule(status)


def logged_in(status: int = 200, *, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    """Every persona gets `status`; anonymous visitors are sent to the login page."""
    return rule(status, anonymous=anonymous, **overrides)


def only(*names: str, ok: int = 200, others: int = 404, anonymous: int = 302) -> dict[str, int]:
    """The named personas get `ok`, the other personas `others` (404: outside scope), anonymous → login."""
    return rule(others, anonymous=anonymous, **dict.fromkeys(names, ok))


def collect() -> dict[str, Access]:
    """All entries from every module of this package (a URL name registered twice is an error)."""
    registry: dict[str, Access] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for name, access in getattr(module, "ACCESS", {}).items():
            if name in registry:
                raise ValueError(f"{name} is registered twice (again in {module_info.name})")
            missing = set(PERSONAS) - set(access.expect)
            if missing:
                raise ValueError(f"{name}: no expectation for {sorted(missing)}")
            registry[name] = access
    return registry
