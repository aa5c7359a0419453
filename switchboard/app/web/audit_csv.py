"""The audit log as CSV, safe to open in a spreadsheet.

Every cell is quoted (commas, quotes, newlines and odd bytes survive Python's csv module and
spreadsheets alike), and a cell that starts with a character a spreadsheet reads as a formula
(= + - @, or a tab or carriage return before one) gets a leading apostrophe, so that a note or a
User-Agent such as `=HYPERLINK(…)` is shown as text, never run (OWASP's "CSV injection").
`before` and `after` are JSON, as the API gives them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from switchboard.app.shop.audit import AuditView

COLUMNS = ("id", "at", "action", "sign_in", "address", "user_agent", "target", "before", "after", "note")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def cells(entry: AuditView) -> list[str]:
    values = entry.model_dump(mode="json")
    text = {k: json.dumps(values[k], ensure_ascii=False) for k in ("before", "after")}
    return [neutralised(str(text.get(column, values[column]))) for column in COLUMNS]


def csv_lines(entries: Iterable[AuditView], header: bool = True) -> Iterator[str]:
    """The header, then one line per entry (a line may hold newlines inside its quotes)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    rows = (cells(e) for e in entries)
    for row in [list(COLUMNS), *rows] if header else rows:
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
