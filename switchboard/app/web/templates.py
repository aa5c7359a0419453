"""The one Jinja2 environment every HTML route renders with (ui/templates).

Limits the pages enforce in the browser come from the code that enforces them on the server,
as globals, so each has one definition: `max_message_chars` (the composer's maxlength).
"""

from __future__ import annotations

from fastapi.templating import Jinja2Templates

from switchboard.app.settings import REPO
from switchboard.app.web.schemas import MAX_MESSAGE_CHARS

templates = Jinja2Templates(directory=REPO / "ui" / "templates")
templates.env.globals["max_message_chars"] = MAX_MESSAGE_CHARS
