"""The search index: per-resource arrays, BM25 postings per resource kind, chain affinities.

Built once per catalog version with :func:`build_index`; ranking only reads it, so one index can serve
many threads.  Everything per resource is a numpy array aligned with ``Index.resources``.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from .outcomes import OutcomeGroup, outcome_groups
from .pools import GENERIC_TERM_MIN_DOCS, GENERIC_TERM_SHARE, NO_DATE, PoolView, make_view
from .records import (
    RESOURCE_TYPE_POOLS,
    RESOURCE_TYPES,
    STAGES,
    ChainTypeRec,
    OutcomeRec,
    ResourceRec,
)
from .regions import fund_region, region_allowed
from .segment import Segmenter, domain_words, get_segmenter, normalize, split_items
from .term_order import shown_ranks, strongest_of
from .thesaurus import Thesaurus, load_thesaurus
from .vocabulary import chain_keyword_sets, composed_of, name_variants, place_words, ranks, shown_term_order
from .weights import merge_weights, score_ceilings

# Talent resources that carry research and so also answer innovation orders.
RESEARCH_TALENT_KINDS = frozenset({"expert_panel", "commissioner_team", "service_team", "postdoc_station"})
# Institutions that train people (answer talent orders): universities, or text naming training.
TRAINING_INSTITUTION_KINDS = frozenset({"university"})
TRAINING_CUES = ("人才培养", "培训", "产教融合", "实训", "技能人才", "人才培养引入")
# Talent resources whose region limits who may use them (a county's own talent policy).
REGION_BOUND_TALENT_KINDS = frozenset({"talent_program"})
EQUITY_PRODUCT_KINDS = frozenset({"equity"})
NON_FINANCING_PRODUCT_KINDS = frozenset({"insurance"})
FUND_STAGES = ("guidance", "venture", "growth", "transformation")

TYPE_CODE = {t: i for i, t in enumerate(RESOURCE_TYPES)}
STAGE_RANK = {s: i for i, s in enumerate(STAGES)}
FIN_LOAN, FIN_EQUITY, FIN_OTHER = 0, 1, 2
# Earlier orders teach generic words too (words in more than GENERIC_TERM_SHARE of them), once there are
# enough of them to tell.
GENERIC_ORDER_MIN_DOCS = 50


@dataclass
class Index:
    version: str
    resources: tuple[ResourceRec, ...]
    chain_types: tuple[ChainTypeRec, ...]
    counties_to_prefecture: dict[str, str]
    segmenter: Segmenter
    weights: dict[str, float]
    vocab: dict[str, int]
    terms: list[str]
    keys: list[str]
    key_pos: dict[str, int]
    chain_pos: dict[str, int]
    county_ids: dict[str, int]
    prefecture_ids: dict[str, int]
    # per-resource arrays (length N)
    rtype: np.ndarray
    county: np.ndarray
    prefecture: np.ndarray
    in_fujian: np.ndarray
    region_ok: np.ndarray  # (N, n_counties + 1) bool, Fortran order; last column: county unknown
    product_region_bound: np.ndarray  # products and county/city funds whose region limits who may use them
    talent_region_bound: np.ndarray
    max_amount: np.ndarray
    size: np.ndarray
    valid_until: np.ndarray
    chain_id: np.ndarray
    link_order: np.ndarray
    link_stage: np.ndarray
    chain_aff: np.ndarray  # (N, n_chains) float32 in [0, 1]
    chain_max: np.ndarray  # (N,) best affinity with any chain type
    fin_class: np.ndarray
    fund_stage: np.ndarray
    is_sample: np.ndarray
    research_talent: np.ndarray
    trains: np.ndarray
    pools: dict[str, np.ndarray]
    # BM25 weights (computed with each resource kind's own idf and average length)
    doc_terms: sparse.csr_matrix  # (N, V) BM25 weights, for explanations
    generic_terms: np.ndarray  # (n_resource_types, V) bool: term in > 20% of that kind's resources
    # per term id: its place in the sorted term list and its length (orders explanation keywords)
    term_rank: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    term_len: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    link_keywords: dict[tuple[int, int], tuple[str, ...]] = field(default_factory=dict)
    views: dict[str, PoolView] = field(default_factory=dict)
    # per resource, its non-generic terms strongest first (the order explanations show keywords in):
    # ``shown_terms[shown_indptr[pos]:shown_indptr[pos + 1]]``
    shown_indptr: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    shown_terms: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # per resource, the facts explanations read, as plain ints (no numpy scalars per candidate):
    # (chain_id, link_order, county, prefecture, in_fujian, fin_class)
    facts: list[tuple[int, ...]] = field(default_factory=list)
    # ``doc_terms`` as flat ``array.array``s, read by explanations without numpy calls like lists (plain ints and
    # floats), but packed, and reading them writes no reference count: forked workers keep sharing the pages
    doc_indptr_list: Sequence[int] = field(default_factory=lambda: array("q", [0]))
    doc_ids_list: Sequence[int] = field(default_factory=lambda: array("i"))
    doc_vals_list: Sequence[float] = field(default_factory=lambda: array("d"))
    # per chain type, per resource: the term id of its strongest chain word (-1: none), see
    # :func:`~.explain.chain_evidence`
    chain_evidence_tids: list[Sequence[int]] = field(default_factory=list)
    # aligned with ``doc_ids_list``: the term's place in its resource's shown order (-1: never shown)
    shown_rank_list: Sequence[int] = field(default_factory=lambda: array("i"))
    # score_ceilings(weights): what the scoring's shortlist bound needs, computed once per index
    ceilings: tuple[float, float] = (1.0, 1.0)
    # the domain thesaurus and what the index compiled from it
    thesaurus: Thesaurus | None = None
    generic_fixed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    # query word → ((term id, relation, field, term), ...): the words it also looks for
    expansions: dict[str, tuple[tuple[int, str, str, str], ...]] = field(default_factory=dict)
    # per chain type, the term ids of its (non-generic) chain words
    chain_kw_tids: list[np.ndarray] = field(default_factory=list)
    chain_kw_sets: list[frozenset[int]] = field(default_factory=list)
    # catalog names (normalised; also without a trailing （…）) → positions, for names in order texts
    name_pos: dict[str, tuple[int, ...]] = field(default_factory=dict)
    max_name_len: int = 0
    # outcomes of earlier orders per (chain index, order kind)
    outcome_groups: dict[tuple[int, str], OutcomeGroup] = field(default_factory=dict)
    outcome_version: str = ""
    # look-ups derived from the fields above, computed on first use (see features.named_requesters)
    memo: dict[str, object] = field(default_factory=dict)

    @property
    def size_n(self) -> int:
        return len(self.resources)

    def prefecture_of(self, county: str | None) -> str | None:
        return self.counties_to_prefecture.get(county) if county else None

    def chain(self, code: str | None) -> ChainTypeRec | None:
        pos = self.chain_pos.get(code) if code else None
        return self.chain_types[pos] if pos is not None else None


def packed(typecode: str, values) -> array:
    """``values`` (a numpy array or a list) as an ``array.array`` of ``typecode`` ("i", "q" or "d")."""
    return array(typecode, np.asarray(values, dtype=np.dtype(typecode)).tobytes())


def build_index(
    resources: Iterable[ResourceRec],
    chain_types: Iterable[ChainTypeRec],
    counties_to_prefecture: Mapping[str, str],
    version: str = "",
    weights: Mapping[str, float] | None = None,
    segmenter: Segmenter | None = None,
    thesaurus: Thesaurus | None = None,
    background_texts: Iterable[str] = (),
    outcomes: Iterable[OutcomeRec] = (),
) -> Index:
    """Build the index once per catalog version (``version`` is stored as ``Index.version``).

    ``thesaurus`` defaults to the project's curated one (``data/thesaurus.yaml``); ``background_texts``
    (earlier orders' texts) teach generic words; ``outcomes`` feed the outcome feature (see
    :func:`with_outcomes`, which replaces them without rebuilding).
    """
    w = merge_weights(weights)
    thes = load_thesaurus() if thesaurus is None else thesaurus
    resources = tuple(sorted(resources, key=lambda r: r.key))
    chain_types = tuple(chain_types)
    c2p = dict(counties_to_prefecture)
    n = len(resources)
    seg = segmenter or get_segmenter([*domain_words(chain_types, resources), *sorted(thes.words())])

    county_ids = {c: i for i, c in enumerate(sorted(c2p))}
    prefecture_ids = {p: i for i, p in enumerate(sorted(set(c2p.values())))}
    chain_pos = {c.code: i for i, c in enumerate(chain_types)}
    n_counties = len(county_ids)

    # ---- tokens → weighted term frequencies --------------------------------------------------------
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    fields = (("name", w["field.name"]), ("fields_text", w["field.fields"]), ("text", w["field.text"]))
    tokens = seg.tokens
    setdefault = vocab.setdefault
    for pos, res in enumerate(resources):
        for attr, fw in fields:
            value = getattr(res, attr)
            if not value:
                continue
            ids = [setdefault(t, len(vocab)) for t in tokens(value)]
            rows.extend([pos] * len(ids))
            cols.extend(ids)
            vals.extend([fw] * len(ids))
    v = len(vocab)
    tf = sparse.csr_matrix(
        (
            np.asarray(vals, dtype=np.float64),
            (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)),
        ),
        shape=(n, max(v, 1)),
    )
    tf.sum_duplicates()
    tf.sort_indices()

    rtype = np.array([TYPE_CODE[r.resource_type] for r in resources], dtype=np.int8)
    # ---- BM25 weights per resource kind ------------------------------------------------------------
    k1, b = w["bm25.k1"], w["bm25.b"]
    dl = np.asarray(tf.sum(axis=1)).ravel()
    nnz_rows = np.repeat(np.arange(n), np.diff(tf.indptr))
    idf = np.zeros((len(RESOURCE_TYPES), tf.shape[1]))
    avgdl = np.ones(len(RESOURCE_TYPES))
    generic_terms = np.zeros((len(RESOURCE_TYPES), tf.shape[1]), dtype=bool)
    presence = tf.copy()
    presence.data[:] = 1.0
    for code in range(len(RESOURCE_TYPES)):
        members = np.flatnonzero(rtype == code)
        if len(members) == 0:
            continue
        df = np.asarray(presence[members].sum(axis=0)).ravel()
        idf[code] = np.log1p((len(members) - df + 0.5) / (df + 0.5))
        generic_terms[code] = (df > GENERIC_TERM_SHARE * len(members)) & (
            len(members) >= GENERIC_TERM_MIN_DOCS
        )
        avgdl[code] = max(dl[members].mean(), 1e-9)
    kinds_nnz = rtype[nnz_rows]
    norm = k1 * (1.0 - b + b * dl[nnz_rows] / avgdl[kinds_nnz])
    bm25 = idf[kinds_nnz, tf.indices] * tf.data * (k1 + 1.0) / (tf.data + norm)
    doc_terms = sparse.csr_matrix((bm25, tf.indices.copy(), tf.indptr.copy()), shape=tf.shape)

    # ---- generic words: curated (thesaurus) and learnt from earlier orders ------------------------
    generic_fixed = np.zeros(tf.shape[1], dtype=bool)
    generic_words = thes.generic | seg.stopwords
    places = place_words(c2p)  # where a resource is, the geography feature says; not what it does
    for word, tid in vocab.items():
        if word in thes.generic or word in places or composed_of(word, generic_words):
            generic_fixed[tid] = True
    background = [t for t in background_texts if t]
    if len(background) >= GENERIC_ORDER_MIN_DOCS:
        order_df: Counter[str] = Counter()
        for text in background:
            order_df.update(set(tokens(text)))
        for word, count in order_df.items():
            tid = vocab.get(word)
            if tid is not None and count > GENERIC_TERM_SHARE * len(background):
                generic_fixed[tid] = True
    generic_any = generic_fixed | generic_terms.any(axis=0)

    # ---- chain affinity: weighted overlap with each chain type's (non-generic) words --------------
    kw_sets = chain_keyword_sets(chain_types, thes)
    term_chains: dict[int, list[int]] = {}
    chain_kw_tids = []
    for ci, words in enumerate(kw_sets):
        tids = []
        for word in words:
            tid = vocab.get(word)
            if tid is not None and not generic_any[tid]:
                term_chains.setdefault(tid, []).append(ci)
                tids.append(tid)
        chain_kw_tids.append(np.asarray(sorted(tids), dtype=np.int64))
    k_rows, k_cols, k_vals = [], [], []
    for tid, cis in term_chains.items():
        for ci in cis:
            k_rows.append(tid)
            k_cols.append(ci)
            k_vals.append(1.0 / len(cis))
    kmat = sparse.csr_matrix((k_vals, (k_rows, k_cols)), shape=(tf.shape[1], max(len(chain_types), 1)))
    overlap = np.asarray((presence @ kmat).todense(), dtype=np.float64)
    chain_aff = (1.0 - np.exp(-overlap / max(w["chain.tau"], 1e-9))).astype(np.float32)
    chain_id = np.full(n, -1, dtype=np.int32)
    link_order = np.full(n, -1, dtype=np.int32)
    link_stage = np.full(n, -1, dtype=np.int8)
    for pos, res in enumerate(resources):
        if res.chain_type and res.chain_type in chain_pos:
            ci = chain_pos[res.chain_type]
            chain_id[pos] = ci
            chain_aff[pos, :] = 0.0
            chain_aff[pos, ci] = w["chain.explicit"]
            link = chain_types[ci].link(res.link_id) or chain_types[ci].link(res.link_name)
            if link is not None:
                link_order[pos] = link.order
                link_stage[pos] = STAGE_RANK.get(link.stage, 1)

    # ---- geography, eligibility, fit attributes ----------------------------------------------------
    county = np.array([county_ids.get(r.county, -1) if r.county else -1 for r in resources], dtype=np.int32)
    prefecture = np.array(
        [prefecture_ids.get(r.prefecture or c2p.get(r.county or "", ""), -1) for r in resources],
        dtype=np.int32,
    )
    in_fujian = np.array([bool(r.in_fujian) for r in resources], dtype=bool)
    region_ok = np.ones((n, n_counties + 1), dtype=bool, order="F")
    product_bound = np.zeros(n, dtype=bool)
    talent_bound = np.zeros(n, dtype=bool)
    restrict_funds = w["filter.restrict_funds"] > 0
    for pos, res in enumerate(resources):
        region = res.region
        if res.resource_type == "fund" and restrict_funds and not region:
            region = fund_region(res)
        if res.resource_type not in ("financial_product", "talent_resource", "fund") or not region:
            continue
        allowed = region_allowed(region, c2p, county_ids, n_counties)
        if allowed is None:
            continue
        if res.resource_type in ("financial_product", "fund"):
            product_bound[pos] = True
        elif res.kind in REGION_BOUND_TALENT_KINDS:
            talent_bound[pos] = True
        else:
            continue
        region_ok[pos, :] = allowed

    def num(value: int | None) -> float:
        return float(value) if value is not None and value > 0 else np.nan

    max_amount = np.array([num(r.max_amount_yuan) for r in resources], dtype=np.float64)
    size = np.array([num(r.size_yuan) for r in resources], dtype=np.float64)
    valid_until = np.array([r.valid_until.toordinal() if r.valid_until else NO_DATE for r in resources])
    fin_class = np.full(n, FIN_OTHER, dtype=np.int8)
    fund_stage = np.full(n, -1, dtype=np.int8)
    for pos, res in enumerate(resources):
        if res.resource_type == "fund":
            fin_class[pos] = FIN_EQUITY
            fund_stage[pos] = FUND_STAGES.index(res.stage) if res.stage in FUND_STAGES else -1
        elif res.resource_type == "financial_product":
            if res.kind in EQUITY_PRODUCT_KINDS:
                fin_class[pos] = FIN_EQUITY
            elif res.kind in NON_FINANCING_PRODUCT_KINDS:
                fin_class[pos] = FIN_OTHER
            else:
                fin_class[pos] = FIN_LOAN
    is_sample = np.array([r.is_sample for r in resources], dtype=bool)
    research_talent = np.array(
        [r.resource_type == "talent_resource" and r.kind in RESEARCH_TALENT_KINDS for r in resources],
        dtype=bool,
    )
    trains = np.array(
        [
            r.resource_type == "institution"
            and (
                r.kind in TRAINING_INSTITUTION_KINDS
                or any(c in f"{r.fields_text} {r.text}" for c in TRAINING_CUES)
            )
            for r in resources
        ],
        dtype=bool,
    )
    is_type = {t: rtype == TYPE_CODE[t] for t in RESOURCE_TYPES}
    pools = {
        "innovation": np.flatnonzero(is_type["institution"] | research_talent),
        "capital": np.flatnonzero(is_type["financial_product"] | is_type["fund"]),
        "talent": np.flatnonzero(is_type["talent_resource"] | trains),
        "industry": np.flatnonzero(is_type["enterprise"]),
    }
    for extra_type, kinds in RESOURCE_TYPE_POOLS.items():  # registered types join their kinds' pools
        for kind in kinds:
            pools[kind] = np.union1d(pools[kind], np.flatnonzero(is_type[extra_type]))
    link_keywords = {
        (ci, link.order): tuple(sorted({normalize(k) for k in link.keywords} | set(split_items(link.name))))
        for ci, chain in enumerate(chain_types)
        for link in chain.links
    }
    terms = [""] * len(vocab)
    for term, tid in vocab.items():
        terms[tid] = term
    expansions: dict[str, tuple[tuple[int, str, str, str], ...]] = {}
    for word, found in thes.expansions().items():
        targets = tuple((vocab[e.target], e.relation, e.field, e.term) for e in found if e.target in vocab)
        if targets:
            expansions[word] = targets
    names: dict[str, list[int]] = defaultdict(list)
    for pos, res in enumerate(resources):
        for variant in name_variants(res.name):
            names[variant].append(pos)
    index = Index(
        version=version,
        resources=resources,
        chain_types=chain_types,
        counties_to_prefecture=c2p,
        segmenter=seg,
        weights=w,
        ceilings=score_ceilings(w),
        vocab=vocab,
        terms=terms,
        term_rank=ranks(terms),
        term_len=np.fromiter((len(t) for t in terms), dtype=np.int64, count=len(terms)),
        keys=[r.key for r in resources],
        key_pos={r.key: i for i, r in enumerate(resources)},
        chain_pos=chain_pos,
        county_ids=county_ids,
        prefecture_ids=prefecture_ids,
        rtype=rtype,
        county=county,
        prefecture=prefecture,
        in_fujian=in_fujian,
        region_ok=region_ok,
        product_region_bound=product_bound,
        talent_region_bound=talent_bound,
        max_amount=max_amount,
        size=size,
        valid_until=valid_until,
        chain_id=chain_id,
        link_order=link_order,
        link_stage=link_stage,
        chain_aff=chain_aff,
        chain_max=chain_aff.max(axis=1) if chain_aff.size else np.zeros(n, dtype=np.float32),
        fin_class=fin_class,
        fund_stage=fund_stage,
        is_sample=is_sample,
        research_talent=research_talent,
        trains=trains,
        pools=pools,
        doc_terms=doc_terms,
        generic_terms=generic_terms,
        link_keywords=link_keywords,
        thesaurus=thes,
        generic_fixed=generic_fixed,
        expansions=expansions,
        chain_kw_tids=chain_kw_tids,
        chain_kw_sets=[frozenset(t.tolist()) for t in chain_kw_tids],
        name_pos={k: tuple(v) for k, v in names.items()},
        max_name_len=max((len(k) for k in names), default=0),
    )
    index.views = {kind: make_view(index, pool) for kind, pool in pools.items()}
    index.facts = list(
        zip(
            chain_id.tolist(),
            link_order.tolist(),
            county.tolist(),
            prefecture.tolist(),
            in_fujian.astype(int).tolist(),
            fin_class.tolist(),
            strict=True,
        )
    )
    index.shown_indptr, index.shown_terms = shown_term_order(
        doc_terms, rtype, generic_terms | generic_fixed, index.term_rank, index.term_len
    )
    index.doc_indptr_list = packed("q", doc_terms.indptr)
    index.doc_ids_list = packed("i", doc_terms.indices)
    index.doc_vals_list = packed("d", doc_terms.data)
    index.shown_rank_list = packed("i", shown_ranks(doc_terms, index.shown_indptr, index.shown_terms))
    index.chain_evidence_tids = [packed("i", strongest_of(doc_terms, tids)) for tids in chain_kw_tids]
    index.outcome_groups = outcome_groups(index, outcomes)
    return index
