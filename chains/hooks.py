"""Sections other apps add to chain pages (chains never imports them: they register here in `ready()`).

A section is a callable `(request, chain) -> dict | None`; the dict has `template` and its context. The orders
app registers the chain's open orders and outcomes this way (matchmaking.chain_page).
"""

from collections.abc import Callable

CHAIN_PAGE_SECTIONS: list[Callable] = []


def register_chain_section(section: Callable) -> Callable:
    """Add a section to every chain page (idempotent; usable as a decorator)."""
    if section not in CHAIN_PAGE_SECTIONS:
        CHAIN_PAGE_SECTIONS.append(section)
    return section


def chain_sections(request, chain) -> list[dict]:
    """The sections registered for the chain page, in registration order, leaving out empty ones."""
    sections = []
    for section in CHAIN_PAGE_SECTIONS:
        found = section(request, chain)
        if found:
            sections.append(found)
    return sections
