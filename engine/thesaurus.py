"""The domain thesaurus (领域词表): disciplines, synonyms, chain vocabulary and generic words, as data.

The curated file is ``data/thesaurus.yaml`` (documented in docs/matching-thesaurus.md).  The engine uses it
in three places:

- query expansion (:meth:`Thesaurus.expansions`): a query word also looks for its synonyms, for the
  disciplines (学科) that cover it, and — when the query names a discipline — for the discipline's terms,
  each with a lower weight than the literal word (``thesaurus.*`` weights);
- chain vocabulary (:meth:`Thesaurus.chain_words`): the disciplines that specialise in a chain type count as
  that chain's words when the engine decides whether a resource belongs to the chain;
- generic words (:attr:`Thesaurus.generic`): words that say nothing specific keep almost no weight.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .segment import normalize

THESAURUS_PATH = Path(__file__).resolve().parent / "data" / "thesaurus.yaml"

# How a query word reaches a target word (the reason code of the match).
SYNONYM = "synonym"  # same concept (full name, short name, abbreviation)
FIELD = "thesaurus"  # the target is a discipline (or its alias) covering the query word
NARROWER = "thesaurus_narrower"  # the query names a discipline; the target is one of its terms


@dataclass(frozen=True)
class Discipline:
    """A 学科 with its other names and the technical terms it covers."""

    name: str
    aliases: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class ChainVocab:
    """Disciplines specialising in a chain type and extra words of the chain."""

    code: str
    name: str = ""
    disciplines: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Expansion:
    """A word a query word also looks for: ``relation`` (reason code), ``field`` and ``term`` for the
    reason (学科相关：field ⊃ term; 同义词: term → target)."""

    target: str
    relation: str
    field: str
    term: str


@dataclass(frozen=True)
class Thesaurus:
    """The parsed thesaurus (all words normalised: NFKC, lower-case)."""

    version: str = ""
    generic: frozenset[str] = frozenset()
    disciplines: tuple[Discipline, ...] = ()
    synonyms: tuple[tuple[str, ...], ...] = ()
    chains: Mapping[str, ChainVocab] = field(default_factory=dict)

    def words(self) -> set[str]:
        """Every word of the thesaurus (the segmenter keeps them whole)."""
        out: set[str] = set()
        for d in self.disciplines:
            out.update(d.names)
            out.update(d.terms)
        for group in self.synonyms:
            out.update(group)
        for chain in self.chains.values():
            out.update(chain.terms)
        return {w for w in out if len(w) >= 2}

    def discipline(self, name: str) -> Discipline | None:
        for d in self.disciplines:
            if name in d.names:
                return d
        return None

    def expansions(self) -> dict[str, tuple[Expansion, ...]]:
        """Query word → the words it also looks for (never itself), one entry per target word.

        A word's synonyms first; then the disciplines covering the word or one of its synonyms (their
        names and aliases); then, for a discipline name, the discipline's terms.
        """
        syn: dict[str, set[str]] = {}
        for group in self.synonyms:
            for word in group:
                syn.setdefault(word, set()).update(w for w in group if w != word)
        covering: dict[str, list[Discipline]] = {}
        for d in self.disciplines:
            for term in d.terms:
                covering.setdefault(term, []).append(d)
        naming: dict[str, list[Discipline]] = {}
        for d in self.disciplines:
            for name in d.names:
                naming.setdefault(name, []).append(d)
        out: dict[str, dict[str, Expansion]] = {}
        words = set(syn) | set(covering) | set(naming)
        for word in sorted(words):
            found: dict[str, Expansion] = {}
            for s in sorted(syn.get(word, ())):
                found.setdefault(s, Expansion(s, SYNONYM, s, word))
            for w in (word, *sorted(syn.get(word, ()))):
                for d in covering.get(w, ()):
                    for name in d.names:
                        if name != word:
                            # the reason names the field's own term (the word or its synonym in the field)
                            found.setdefault(name, Expansion(name, FIELD, d.name, w))
            for d in naming.get(word, ()):
                for term in d.terms:
                    if term != word:
                        found.setdefault(term, Expansion(term, NARROWER, d.name, term))
            if found:
                out[word] = found
        return {w: tuple(found.values()) for w, found in out.items()}

    def chain_words(self, code: str, name: str = "") -> set[str]:
        """Words that mark a resource as belonging to the chain type ``code`` (or named ``name``):
        the chain's extra terms and the names of the disciplines specialising in it."""
        vocab = self.chains.get(code)
        if vocab is None and name:
            vocab = next((c for c in self.chains.values() if c.name and c.name == name), None)
        if vocab is None:
            return set()
        out = set(vocab.terms)
        for dname in vocab.disciplines:
            d = self.discipline(dname)
            out.update(d.names if d else (dname,))
        return out


def _words(values: Iterable[object] | None) -> tuple[str, ...]:
    out = []
    for v in values or ():
        w = normalize(str(v)).strip()
        if w and w not in out:
            out.append(w)
    return tuple(out)


def parse_thesaurus(data: Mapping[str, object]) -> Thesaurus:
    """A :class:`Thesaurus` from the YAML structure (see ``data/thesaurus.yaml``); raises ValueError when a
    section has the wrong shape or a chain names an unknown discipline."""
    disciplines = []
    raw = data.get("disciplines") or {}
    if not isinstance(raw, Mapping):
        raise ValueError("thesaurus: 'disciplines' must be a mapping of name → {aliases, terms}")
    for name, body in raw.items():
        body = body or {}
        if not isinstance(body, Mapping):
            raise ValueError(f"thesaurus: discipline {name!r} must be a mapping")
        disciplines.append(
            Discipline(
                name=normalize(str(name)).strip(),
                aliases=_words(body.get("aliases")),
                terms=_words(body.get("terms")),
            )
        )
    synonyms = []
    for group in data.get("synonyms") or ():  # type: ignore[union-attr]
        words = _words(group)  # type: ignore[arg-type]
        if len(words) < 2:
            raise ValueError(f"thesaurus: a synonym group needs two words at least: {group!r}")
        synonyms.append(words)
    names = {n for d in disciplines for n in d.names}
    chains = {}
    for code, body in (data.get("chains") or {}).items():  # type: ignore[union-attr]
        body = body or {}
        vocab = ChainVocab(
            code=str(code),
            name=normalize(str(body.get("name") or "")),
            disciplines=_words(body.get("disciplines")),
            terms=_words(body.get("terms")),
        )
        unknown = [d for d in vocab.disciplines if d not in names]
        if unknown:
            raise ValueError(f"thesaurus: chain {code!r} names unknown disciplines {unknown}")
        chains[vocab.code] = vocab
    return Thesaurus(
        version=str(data.get("version") or ""),
        generic=frozenset(_words(data.get("generic"))),  # type: ignore[arg-type]
        disciplines=tuple(disciplines),
        synonyms=tuple(synonyms),
        chains=chains,
    )


@lru_cache(maxsize=8)
def load_thesaurus(path: str | Path = THESAURUS_PATH) -> Thesaurus:
    """The thesaurus of a YAML file (cached per path; the default is the project's curated file)."""
    with Path(path).open(encoding="utf-8") as fh:
        return parse_thesaurus(yaml.safe_load(fh) or {})


EMPTY = Thesaurus()
