"""Chinese segmentation with a domain dictionary and stop words (rjieba, cached, deterministic).

``Segmenter.tokens(text)`` cuts with rjieba's own dictionary plus the domain words (chain links'
keywords, link and chain names, catalog field items and short resource names), then adds the shorter
dictionary words found inside each long token ("search mode", so ``锂电池`` also yields ``锂电`` and
``电池``) and drops stop words, punctuation, numbers and single characters that are not domain words.
A domain keyword such as ``六氟磷酸锂`` therefore always stays one token.
"""

from __future__ import annotations

import hashlib
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import rjieba

from .records import ChainTypeRec, ResourceRec

# Function words and words every order or catalog entry uses; they carry no matching feature. The last
# lines name the relation an order asks for (合作, 对接 …) and praise (高端, 先进 …), not what it is about.
_STOPWORD_TEXT = """
的 了 和 与 及 或 等 在 为 对 向 从 以 把 被 将 并 且 而 也 又 就 都 由 其
之 于 是 有 无 这 那 该 此 各 每 中 上 下 内 外 个 家 种 类 项 用 可 能 要
会 让 使 给 后 前 已 未 不 没 很 更 最 多 少 大 小 高 新 一 二 三 着 过 至
所 如 若 即 则 因 但 还 再 只 仅 本 我 你 他 她 它 们 之一 一些 一批 相关 有关
方面 方式 方向 需要 需求 希望 寻找 急需 期望 想要 拟 计划 准备 开展 进行 提供 实现
推动 推进 促进 加快 加强 提升 支撑 支持 帮助 解决 通过 利用 依托 围绕 面向 针对 结合
包括 涉及 具有 具备 拥有 形成 建设 建立 打造 实施 领域 问题 能力 水平 情况 工作 项目
企业 公司 单位 机构 我们 我县 本县 本地 当地 县域 县里 重点 主要 产业 产业链 链条
环节 行业 全链条 一站式 示例 条目 白皮书 载明 具体 推断 按 名称 国内 全国 领先 知名
优势 突出 特色 明显 实力 前列 目前 现有 同时 以及 并且 或者 其中 其他 各类 多项 多个
系列 整体
上游 中游 下游 供应商 客户 配套 就近 生产
合作 合作伙伴 联合 对接 洽谈 牵线
高端 先进 关键 核心 优质 高品质
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())

_CJK = re.compile(r"[\u3400-\u9fff]")
_SPLIT_ITEMS = re.compile(r"[；;、，,。．.：:（）()\[\]【】/／|\s]+")
_SPLIT_CONNECTORS = re.compile(r"[与和及]")
_SAMPLE_SUFFIX = re.compile(r"（示例）|\(示例\)")
_KEEP_TOKEN = re.compile(r"[\u3400-\u9fffA-Za-z]")
_DIGITS = re.compile(r"^[\d.%+\-]+$")

MAX_DOMAIN_WORD_LEN = 8


def normalize(text: str) -> str:
    """NFKC (full-width Latin → half-width) and lower-case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def split_items(text: str) -> list[str]:
    """Split a field list such as ``石材与脆性材料加工；精密加工`` into short items (also on 与/和/及)."""
    out: list[str] = []
    for item in _SPLIT_ITEMS.split(normalize(text)):
        if not item:
            continue
        out.append(item)
        if _SPLIT_CONNECTORS.search(item):
            out.extend(p for p in _SPLIT_CONNECTORS.split(item) if p)
    return out


def domain_words(chain_types: Iterable[ChainTypeRec], resources: Iterable[ResourceRec]) -> list[str]:
    """Words to add to the segmenter: chain/link names and keywords, field items, short names."""
    words: set[str] = set()
    singles: set[str] = set()

    def add(word: str, allow_single: bool = False, clean: bool = False) -> None:
        # items of `split_items` are normalized already: only strip them (NFKC is the build's costliest step)
        word = word.strip() if clean else normalize(word).strip()
        if not word or word in STOPWORDS or _DIGITS.match(word):
            return
        if len(word) == 1:
            if allow_single and _CJK.match(word):
                singles.add(word)
            return
        if len(word) <= MAX_DOMAIN_WORD_LEN:
            words.add(word)

    for chain in chain_types:
        add(chain.name, allow_single=True)
        for piece in split_items(chain.name):
            add(piece, allow_single=True, clean=True)
        for link in chain.links:
            for piece in split_items(link.name):
                add(piece, clean=True)
            for kw in link.keywords:
                add(kw, allow_single=True)
    for res in resources:
        add(_SAMPLE_SUFFIX.sub("", res.name))
        for item in split_items(res.fields_text):
            add(item, clean=True)
        if res.link_name:
            for piece in split_items(res.link_name):
                add(piece, clean=True)
    return sorted(words | singles)


class Segmenter:
    """rjieba segmenter with a domain dictionary; ``tokens`` is cached and deterministic."""

    def __init__(
        self, words: Iterable[str] = (), stopwords: Iterable[str] = STOPWORDS, cache_size: int = 65536
    ):
        self.words: tuple[str, ...] = tuple(sorted({normalize(w).strip() for w in words} - {""}))
        self.stopwords = frozenset(stopwords)
        self.signature = hashlib.sha1("\n".join(self.words).encode(), usedforsecurity=False).hexdigest()[:12]
        self._domain = frozenset(self.words)
        self._singles = frozenset(w for w in self.words if len(w) == 1)
        self._jieba = rjieba.Jieba()
        for word in self.words:
            if len(word) > 1:
                self._jieba.add_word(word, None, None)
        self._has_word = self._jieba.has_word
        self._cached = lru_cache(maxsize=cache_size)(self._tokens)
        self._query_cached = lru_cache(maxsize=cache_size)(self._query_tokens)
        # cut tokens repeat across texts far more than texts do: expand each distinct one once
        self._expand = lru_cache(maxsize=4 * cache_size)(self._expand_token)

    def cut(self, text: str) -> list[str]:
        """Plain rjieba cut (with the domain dictionary), no filtering."""
        return self._jieba.cut(normalize(text), True)

    def tokens(self, text: str) -> tuple[str, ...]:
        """Search tokens of ``text`` in order (duplicates kept: they are term frequencies)."""
        return self._cached(text or "")

    def query_tokens(self, text: str) -> tuple[tuple[str, bool], ...]:
        """:meth:`tokens` of ``text`` with, for each, whether it is a whole cut word (True) or a word found
        inside a longer one (False: ``磷酸`` inside ``磷酸铁锂``)."""
        return self._query_cached(text or "")

    def _query_tokens(self, text: str) -> tuple[tuple[str, bool], ...]:
        out: list[tuple[str, bool]] = []
        expand = self._expand
        for tok in self._jieba.cut(normalize(text), True):
            whole = tok.strip()
            for i, part in enumerate(expand(tok)):
                # a single-character domain word (茶, 竹: a chain's name) counts wherever it is found
                out.append((part, (i == 0 and part == whole) or len(part) == 1))
        return tuple(out)

    def _known(self, word: str) -> bool:
        return word in self._domain or self._has_word(word)

    def _tokens(self, text: str) -> tuple[str, ...]:
        out: list[str] = []
        expand = self._expand
        for tok in self._jieba.cut(normalize(text), True):
            out.extend(expand(tok))
        return tuple(out)

    def _expand_token(self, tok: str) -> tuple[str, ...]:
        """The search tokens one cut token yields (itself unless a stop word, plus known sub-words)."""
        tok = tok.strip()
        if not tok or not _KEEP_TOKEN.search(tok):
            return ()
        n = len(tok)
        singles = self._singles
        if n == 1:
            return (tok,) if tok in singles else ()
        stop = self.stopwords
        out = [] if tok in stop else [tok]
        if n >= 3 and _CJK.match(tok):
            for size in range(n - 1, 1, -1):
                for i in range(n - size + 1):
                    sub = tok[i : i + size]
                    if sub not in stop and self._known(sub):
                        out.append(sub)
        if singles:
            out.extend(ch for ch in tok if ch in singles)
        return tuple(out)


_SEGMENTERS: dict[str, Segmenter] = {}
_SEGMENTERS_LOCK = threading.Lock()


def get_segmenter(words: Iterable[str]) -> Segmenter:
    """A shared segmenter per distinct word list (building one costs ~0.1 s plus the words)."""
    words = tuple(sorted({normalize(w).strip() for w in words} - {""}))
    sig = hashlib.sha1("\n".join(words).encode(), usedforsecurity=False).hexdigest()[:12]
    with _SEGMENTERS_LOCK:
        seg = _SEGMENTERS.get(sig)
        if seg is None:
            if len(_SEGMENTERS) > 8:
                _SEGMENTERS.clear()
            seg = _SEGMENTERS[sig] = Segmenter(words)
        return seg
