import itertools

from switchboard.patterns.chunking import chunk_article, parse_article

ARTICLE = """---
id: returns-policy
title: Returns policy
updated: 2026-09-14
---
# Returns policy

We take most things back.

## Who can return
Anyone within 45 days.

## How to start a return
Open your account.

Then pick the order.
"""


def test_front_matter_and_sections_become_titled_chunks() -> None:
    article = parse_article(ARTICLE, "fallback")
    assert (article.id, article.title, article.updated) == ("returns-policy", "Returns policy", "2026-09-14")
    chunks = chunk_article(article)
    assert [c.id for c in chunks] == ["returns-policy#0", "returns-policy#1", "returns-policy#2"]
    assert [c.heading for c in chunks] == ["", "Who can return", "How to start a return"]
    assert chunks[1].text == "Returns policy — Who can return\nAnyone within 45 days."


def test_long_sections_split_at_paragraphs() -> None:
    body = "## Long\n" + "\n\n".join(f"Paragraph {n} " + "word " * 40 for n in range(6))
    chunks = chunk_article(parse_article(body, "long"), max_chars=500)
    assert len(chunks) > 1
    assert all(len(c.text) <= 500 + len("long — Long\n") for c in chunks)
    assert all("Paragraph" in c.text.split("\n", 1)[1][:10] for c in chunks)


def test_without_front_matter_the_file_name_and_first_heading_are_used() -> None:
    article = parse_article("# Stove care\n\nKeep it clean.", "stove-care")
    assert (article.id, article.title) == ("stove-care", "Stove care")


def test_content_hash_changes_with_the_text_only() -> None:
    a = parse_article(ARTICLE, "x")
    assert a.content_hash == parse_article(ARTICLE, "x").content_hash
    assert a.content_hash != parse_article(ARTICLE.replace("45", "30"), "x").content_hash


def test_every_strategy_is_chosen_by_name_and_an_unknown_one_is_refused() -> None:
    from switchboard.patterns.chunking import STRATEGIES, chunker

    article = parse_article(ARTICLE, "x")
    assert all(chunker(name)(article) for name in STRATEGIES)
    assert chunker("heading") is chunk_article
    try:
        chunker("paragraph")
    except ValueError as refused:
        assert "paragraph" in str(refused) and "heading" in str(refused)
    else:
        raise AssertionError("an unknown strategy was accepted")


def test_fixed_windows_overlap_by_about_the_overlap_and_cover_the_text() -> None:
    from switchboard.patterns.chunking import chunk_fixed

    words = " ".join(f"w{n:03d}" for n in range(300))  # 1,499 characters of 4-letter words
    chunks = chunk_fixed(parse_article(f"# T\n\n## A\n{words}", "t"), size=400, overlap=100)
    bodies = [c.text.split("\n", 1)[1].split() for c in chunks]
    assert len(chunks) == 5  # starts at 0, 300, 600, 900, 1200
    for before, after in itertools.pairwise(bodies):
        shared = [w for w in after if w in before]
        assert shared == after[: len(shared)]  # the next window begins with the end of this one
        assert 19 <= len(shared) <= 21  # 100 characters of "wNNN " words, widened to whole words
    assert {w for b in bodies for w in b} == set(words.split())
    assert all(c.heading == "" and c.passage == "" and c.text.startswith("T\n") for c in chunks)


def test_a_sentence_is_matched_alone_and_returns_its_neighbours_in_its_section() -> None:
    from switchboard.patterns.chunking import chunk_sentences

    body = "# T\n\n## Tents\nOne is here. Two is here. Three is here. Four is here.\n\n## Boots\nFive is here."
    chunks = chunk_sentences(parse_article(body, "t"), window=1)
    assert [c.text for c in chunks[:2]] == ["T — Tents\nOne is here.", "T — Tents\nTwo is here."]
    assert chunks[0].passage == "One is here. Two is here."
    assert chunks[2].passage == "Two is here. Three is here. Four is here."
    assert chunks[-1].passage == "Five is here."  # no neighbour borrowed across the section boundary
    assert all(c.parent == "" for c in chunks)


def test_parent_chunks_match_a_sentence_and_return_the_whole_section() -> None:
    from switchboard.patterns.chunking import chunk_parent

    chunks = chunk_parent(parse_article(ARTICLE, "x"))
    start = [c for c in chunks if c.heading == "How to start a return"]
    assert [c.text.split("\n", 1)[1] for c in start] == ["Open your account.", "Then pick the order."]
    assert {c.passage for c in start} == {"Open your account.\n\nThen pick the order."}
    assert {c.parent for c in start} == {"returns-policy#s2"}
    assert len({c.id for c in chunks}) == len(chunks)
