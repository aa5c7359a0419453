"""The book in the app: `/chapters` lists the chapters, `/chapters/N` reads one.

Anyone may read them, signed in or not. The operator also gets a button that serves the
chapter's switches (the `chapter-N` preset), recorded in the audit log like a change on the panel.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from switchboard.app.web.auditing import flags_changed
from switchboard.app.web.auth import ADMIN_ONLY, actor_of
from switchboard.app.web.book import Chapter, chapters, render
from switchboard.app.web.deps import ServicesDep
from switchboard.app.web.errors import not_found
from switchboard.app.web.templates import templates

router = APIRouter(include_in_schema=False)


@router.get("/chapters", response_class=HTMLResponse)
async def book_page(request: Request, services: ServicesDep) -> HTMLResponse:
    context = {"chapters": chapters(services.settings.book_dir), "active": "chapters"}
    return templates.TemplateResponse(request, "chapters.html", context)


@router.get("/chapters/{number}", response_class=HTMLResponse)
async def chapter_page(request: Request, number: int, services: ServicesDep) -> HTMLResponse:
    """The chapter, or a page saying the book has no such chapter (with the list to choose from)."""
    book = chapters(services.settings.book_dir)
    chapter = _find_or_none(book, number)
    context = {
        "chapter": chapter,
        "number": number,
        "chapters": book,
        "body": render(chapter) if chapter is not None else None,
        "previous": _find_or_none(book, number - 1),
        "next": _find_or_none(book, number + 1),
        "active": "chapters",
    }
    return templates.TemplateResponse(request, "chapter.html", context, status_code=200 if chapter else 404)


@router.post("/chapters/{number}/preset", dependencies=ADMIN_ONLY)
async def serve_chapter_preset(request: Request, number: int, services: ServicesDep) -> RedirectResponse:
    """Switch the panel to chapter N's preset (its patterns and every earlier chapter's), then show it."""
    _find(chapters(services.settings.book_dir), number)
    before = services.flags.snapshot()
    preset = f"chapter-{number}"
    services.flags.apply_preset(preset)
    await flags_changed(services, actor_of(request), before, preset)
    return RedirectResponse("/switchboard", status_code=303)


def _find(book: list[Chapter], number: int) -> Chapter:
    chapter = _find_or_none(book, number)
    if chapter is None:
        raise not_found("chapter", str(number))
    return chapter


def _find_or_none(book: list[Chapter], number: int) -> Chapter | None:
    return next((c for c in book if c.number == number), None)
