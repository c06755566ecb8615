"""An independent check that a structured reason is supported by the resource's own data and the order."""

from __future__ import annotations

from engine.records import OrderQuery, ResourceRec
from engine.regions import fund_region
from engine.segment import normalize, split_items
from engine.thesaurus import load_thesaurus


def _text(res: ResourceRec) -> str:
    return normalize(f"{res.name} {res.fields_text} {res.text} {res.link_name or ''}")


def _order_text(query: OrderQuery) -> str:
    return normalize(f"{query.title} {query.text} {' '.join(query.keywords)}")


def unsupported(
    reason: dict, res: ResourceRec, query: OrderQuery, chain_words: dict[str, set[str]]
) -> str | None:
    """Why ``reason`` is not supported (a sentence), or None when the data bear it out."""
    code, p = reason["code"], reason.get("params", {})
    text, order = _text(res), _order_text(query)
    thes = load_thesaurus()
    if code == "same_chain":
        return None if res.chain_type == query.chain_type else "resource not on the order's chain"
    if code == "serves_chain":
        term = normalize(p["term"])
        if term not in text:
            return f"chain evidence {term} not in the resource"
        if term not in chain_words.get(query.chain_type or "", set()):
            return f"{term} is not a word of chain {query.chain_type}"
        return None
    if code.startswith("link_"):
        return None if res.link_name == p["link"] else "link differs"
    if code == "keywords":
        missing = [t for t in p["terms"] if normalize(t) not in text or normalize(t) not in order]
        return f"keywords {missing} not in both texts" if missing else None
    if code in ("thesaurus", "thesaurus_narrower"):
        d = thes.discipline(normalize(p["field"]))
        if d is None:
            return "unknown discipline"
        term = normalize(p["term"])
        if code == "thesaurus":
            said = {term} | {w for g in thes.synonyms if term in g for w in g}
            ok = any(w in order for w in said) and any(n in text for n in d.names) and term in d.terms
        else:
            ok = term in text and term in d.terms and any(n in order for n in d.names)
        return None if ok else "thesaurus link not in the texts"
    if code == "synonym":
        ok = normalize(p["synonym"]) in text and normalize(p["term"]) in order
        return None if ok else "synonym not in the texts"
    if code == "region":
        return None if res.region == p["region"] else "region differs"
    if code in ("geo_county", "geo_county_usable"):
        return None if res.county == query.county else "not in the county"
    if code == "geo_prefecture":
        return None if res.prefecture and res.prefecture == query.prefecture else "not in the prefecture"
    if code == "geo_province":
        return None if res.in_fujian else "not in the province"
    if code in ("geo_outside", "geo_outside_at"):
        return None if not res.in_fujian else "in the province"
    if code == "amount_covers":
        ok = res.max_amount_yuan and query.amount_yuan and res.max_amount_yuan >= query.amount_yuan
        return None if ok else "ceiling does not cover"
    if code == "amount_below":
        ok = res.max_amount_yuan == p["max"] and query.amount_yuan and p["max"] < query.amount_yuan
        return None if ok else "ceiling not below"
    if code == "amount_max":
        return None if res.max_amount_yuan == p["max"] else "ceiling differs"
    if code == "fund_size":
        return None if res.size_yuan == p["size"] else "size differs"
    if code.startswith("financing_"):
        kind = code.split("_")[1]
        if query.kind != "capital":
            return "financing reason on a non-capital order"
        if kind == "loan":
            ok = res.resource_type == "financial_product" and res.kind not in ("equity", "insurance")
            return None if ok or res.kind == "insurance" else "not a loan product"
        if kind == "equity":
            return (
                None if res.resource_type == "fund" or res.kind in ("equity", "insurance") else "not equity"
            )
        return None
    if code == "fund_stage":
        return None if res.stage == p["stage"] else "stage differs"
    if code in ("outcome_success", "outcome_irrelevant", "declined"):
        return None  # checked against the outcome data by the tests that create it
    if code == "text":
        return "a text reason of an older version"
    return f"unknown code {code}"


def chain_words_of(index) -> dict[str, set[str]]:
    """Each chain type's words as the data define them: name, link names and keywords, thesaurus vocabulary."""
    thes = load_thesaurus()
    out = {}
    for chain in index.chain_types:
        words = {normalize(chain.name), *split_items(chain.name)}
        for link in chain.links:
            words.update(split_items(link.name))
            words.update(normalize(k) for k in link.keywords)
        out[chain.code] = words | thes.chain_words(chain.code, chain.name)
    return out


def region_of(res: ResourceRec) -> str | None:
    return res.region or (fund_region(res) if res.resource_type == "fund" else None)
