"""The one Jinja2 environment every HTML route renders with (ui/templates).

Limits the pages enforce in the browser come from the code that enforces them on the server,
as globals, so each has one definition: `max_message_chars` (the composer's maxlength).
`usd` writes an amount of dollars readably at any size ($1,234, $12.34, $0.000412). Every page
also knows who asks: `operator` is whether the request carries the operator's
sign-in, so that base.html shows the operator's links to the operator only; `chapter_served` is
the N of `switchboard serve --chapter N` (None: the full app), for the badge on every page.
"""

from __future__ import annotations

import math

from fastapi import Request
from fastapi.templating import Jinja2Templates

from switchboard.agents.chapters import LAST_CHAPTER
from switchboard.app.settings import REPO
from switchboard.app.web.auth import is_admin
from switchboard.app.web.schemas import MAX_MESSAGE_CHARS


def who_asks(request: Request) -> dict[str, bool]:
    return {"operator": is_admin(request)}


def chapter_served(request: Request) -> dict[str, int | None]:
    """The chapter this server was built up to; None before start-up has built the services."""
    services = getattr(request.app.state, "services", None)
    return {"chapter_served": services.settings.chapter if services is not None else None}


templates = Jinja2Templates(directory=REPO / "ui" / "templates", context_processors=[who_asks, chapter_served])
templates.env.globals["max_message_chars"] = MAX_MESSAGE_CHARS
templates.env.globals["last_chapter"] = LAST_CHAPTER


def usd(amount: float | None) -> str:
    """Dollars to the cent from a dollar up; below, three significant figures (a demo turn
    costs millionths of a dollar, which "$0.00" would hide)."""
    if amount is None:
        return "—"
    if amount == 0 or abs(amount) >= 1:
        return f"${amount:,.2f}" if abs(amount) < 1000 else f"${amount:,.0f}"
    decimals = 2 - math.floor(math.log10(abs(amount)))
    return f"${amount:.{decimals}f}"


templates.env.filters["usd"] = usd
