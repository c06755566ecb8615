"""Build-time helpers ordering each resource's terms: the place of a term in the shown order, the strongest term."""

from __future__ import annotations

import numpy as np
from scipy import sparse


def shown_ranks(
    doc_terms: sparse.csr_matrix, shown_indptr: np.ndarray, shown_terms: np.ndarray
) -> np.ndarray:
    """Per stored (resource, term) of ``doc_terms``, the term's place in the resource's shown order."""
    n, v = doc_terms.shape
    out = np.full(doc_terms.nnz, -1, dtype=np.int64)
    if not len(shown_terms):
        return out
    # rows of doc_terms are sorted by term id, so (row, term) keys are sorted over the whole matrix
    doc_keys = np.repeat(np.arange(n, dtype=np.int64), np.diff(doc_terms.indptr)) * v + doc_terms.indices
    owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(shown_indptr))
    at = np.searchsorted(doc_keys, owner * v + shown_terms)
    out[at] = np.arange(len(shown_terms)) - shown_indptr[owner]
    return out


def strongest_of(doc_terms: sparse.csr_matrix, tids: np.ndarray) -> list[int]:
    """Per resource, the term id among ``tids`` (sorted) with its largest weight, the lowest id among
    equal weights (-1 when it has none of them)."""
    n = doc_terms.shape[0]
    if len(tids) == 0:
        return [-1] * n
    sub = doc_terms[:, tids].tocsr()
    sub.sort_indices()
    out = np.full(n, -1, dtype=np.int64)
    rows = np.repeat(np.arange(n), np.diff(sub.indptr))
    if len(rows):
        # order the entries by (row, weight descending, column): the first of each row is the strongest
        order = np.lexsort((sub.indices, -sub.data, rows))
        first = np.ones(len(order), dtype=bool)
        first[1:] = rows[order][1:] != rows[order][:-1]
        best = order[first]
        out[rows[best]] = tids[sub.indices[best]]
    return out.tolist()
