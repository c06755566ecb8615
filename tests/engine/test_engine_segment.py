from engine.segment import STOPWORDS, Segmenter, domain_words


def test_domain_keyword_stays_one_token():
    seg = Segmenter(["六氟磷酸锂", "高温合金"])
    assert "六氟磷酸锂" in seg.cut("需要电解液及六氟磷酸锂供应商")
    toks = seg.tokens("需要电解液及六氟磷酸锂供应商，研究高温合金")
    assert "六氟磷酸锂" in toks
    assert "高温合金" in toks
    assert "氟" not in toks and "六" not in toks


def test_without_domain_word_it_is_split():
    assert "六氟磷酸锂" not in Segmenter([]).cut("需要电解液及六氟磷酸锂供应商")


def test_stopwords_and_punctuation_removed():
    toks = Segmenter([]).tokens("企业需要在高白度日用瓷方面的合作。")
    for stop in ("的", "需要", "企业", "方面", "在", "。"):
        assert stop in STOPWORDS or stop == "。"
        assert stop not in toks


def test_search_mode_adds_known_subwords():
    toks = Segmenter(["储能系统集成"]).tokens("储能系统集成")
    assert "储能系统集成" in toks
    assert "储能" in toks and "系统集成" in toks


def test_single_character_domain_words_kept():
    seg = Segmenter(["茶", "竹"])
    assert "茶" in seg.tokens("茶企收购茶青")
    assert "竹" not in seg.tokens("茶企收购茶青")
    assert "收" not in Segmenter([]).tokens("茶企收购茶青")


def test_deterministic_and_cached():
    a = Segmenter(["精密结构件", "结构件"])
    b = Segmenter(["结构件", "精密结构件"])
    text = "锂电池精密结构件企业需要上游配套"
    assert a.tokens(text) == a.tokens(text) == b.tokens(text)
    assert a.signature == b.signature


def test_latin_terms_lowercased():
    toks = Segmenter(["LED封装"]).tokens("LED封装与Micro-LED、BMS")
    assert "led封装" in toks
    assert "bms" in toks


def test_domain_words_from_catalog(catalog):
    words = set(domain_words(catalog.chain_types, catalog.resources))
    assert {"六氟磷酸锂", "结构件", "以竹代塑", "茶", "竹"} <= words
    assert "石材" in words  # from 华侨大学's field item 石材与脆性材料加工 split on 与
    assert all(len(w) <= 8 for w in words)
