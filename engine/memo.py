"""Per-pool memo: arrays over a whole pool that depend on one fact of an order (its county, amount,
financing type …), computed on first use and shared, read-only, by every order with the same fact."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import numpy as np

MEMO_LIMIT = 512  # arrays kept per pool before the memo starts afresh (facts such as amounts are open-ended)


def pool_memo(view, key: Hashable, make: Callable[[], np.ndarray]) -> np.ndarray:
    """``make()`` for this pool and key, computed once (``view`` is a PoolView with a ``memo`` dict)."""
    found = view.memo.get(key)
    if found is None:
        if len(view.memo) >= MEMO_LIMIT:
            view.memo.clear()
        found = make()
        found.flags.writeable = False
        view.memo[key] = found
    return found
