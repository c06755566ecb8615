"""Words of the index: which terms a resource may show, each chain type's words, place names, name variants."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import sparse

from .records import ChainTypeRec
from .segment import normalize, split_items
from .thesaurus import Thesaurus

_NAME_SUFFIX = re.compile(r"[（(][^（）()]*[）)]$")


def ranks(terms: Sequence[str]) -> np.ndarray:
    """Each term's position in ``sorted(terms)``."""
    out = np.zeros(len(terms), dtype=np.int64)
    out[sorted(range(len(terms)), key=terms.__getitem__)] = np.arange(len(terms))
    return out


def shown_term_order(
    doc_terms: sparse.csr_matrix,
    rtype: np.ndarray,
    generic_terms: np.ndarray,
    term_rank: np.ndarray,
    term_len: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each resource's terms that may be shown as keywords (not generic for its kind), strongest BM25
    weight first; ties: the longer term, then the term itself.  Returns (indptr, term ids)."""
    n = doc_terms.shape[0]
    owner = np.repeat(np.arange(n), np.diff(doc_terms.indptr))
    ids = doc_terms.indices
    keep = ~generic_terms[rtype[owner], ids] if len(ids) else np.zeros(0, dtype=bool)
    owner, ids, vals = owner[keep], ids[keep], doc_terms.data[keep]
    order = np.lexsort((term_rank[ids], -term_len[ids], -vals, owner))
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=n), out=indptr[1:])
    return indptr, ids[order].astype(np.int64)


def chain_keyword_sets(chain_types: Sequence[ChainTypeRec], thesaurus: Thesaurus) -> list[set[str]]:
    """Each chain type's words: its name, link names and keywords, and the thesaurus's chain vocabulary
    (disciplines specialising in it); generic words (thesaurus) are left out."""
    out = []
    for chain in chain_types:
        words = {normalize(chain.name), *split_items(chain.name)}
        for link in chain.links:
            words.update(split_items(link.name))
            words.update(normalize(k) for k in link.keywords)
        words.update(thesaurus.chain_words(chain.code, normalize(chain.name)))
        out.append({w for w in words if w and w not in thesaurus.generic})
    return out


def place_words(c2p: Mapping[str, str]) -> set[str]:
    """County and prefecture names with and without their 市/县/区 (晋江市, 晋江; 泉州市, 泉州) and 福建."""
    out = {"福建", "福建省", "闽"}
    for name in {*c2p, *c2p.values()}:
        out.add(normalize(name))
        if len(name) >= 3 and name[-1] in "市县区":
            out.add(normalize(name[:-1]))
    return out


def composed_of(word: str, parts: frozenset[str] | set[str], longest: int = 12) -> bool:
    """Whether ``word`` is two or more generic words run together (产品研发 = 产品 + 研发)."""
    n = len(word)
    if n < 3 or n > longest:
        return False
    # reach[i]: the fewest parts that make word[:i] (0 = the empty start; n + 1 = unreachable)
    reach = [0] + [n + 1] * n
    for i in range(1, n + 1):
        for j in range(max(0, i - 6), i):
            if reach[j] <= n and word[j:i] in parts and reach[j] + 1 < reach[i]:
                reach[i] = reach[j] + 1
    return 2 <= reach[n] <= n


def name_variants(name: str) -> set[str]:
    """A catalog name as order texts may write it: whole, and without a trailing （…） (（示例）, （ATL）)."""
    full = normalize(name).strip()
    out = {full}
    short = full
    while short.endswith((")", "）")) and _NAME_SUFFIX.search(short):
        short = _NAME_SUFFIX.sub("", short).strip()
        out.add(short)
    return {n for n in out if len(n) >= 2}
