"""Two storefronts whose help centres share an article id: shared by the tenant-scoping tests."""

from __future__ import annotations

from pathlib import Path

from switchboard.app.shop.knowledge import KnowledgeBase

RETURNS = {
    "tidewater": "## Window\nReturn unused gear within 45 days of delivery for a full refund.",
    "summit": "## Window\nReturn a bike within 30 days; a bent derailleur is not covered.",
}


def write_article(folder: Path, article_id: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{article_id}.md").write_text(
        f"---\nid: {article_id}\ntitle: {article_id.title()}\nupdated: 2026-11-01\n---\n{body}\n"
    )


def two_shops_with_one_article_id(kb: KnowledgeBase, root: Path) -> None:
    """`returns-policy` at both tenants, with different windows (45 and 30 days)."""
    for tenant, body in RETURNS.items():
        write_article(root / tenant, "returns-policy", body)
        kb.ingest(root / tenant, "shipped", tenant)
