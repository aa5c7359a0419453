"""The one Jinja2 environment every HTML route renders with (ui/templates)."""

from __future__ import annotations

from fastapi.templating import Jinja2Templates

from switchboard.app.settings import REPO

templates = Jinja2Templates(directory=REPO / "ui" / "templates")
