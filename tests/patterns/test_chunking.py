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
