"""The audit CSV: every cell survives Python's csv module, and none runs as a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from switchboard.app.shop.audit import AuditView
from switchboard.app.web.audit_csv import COLUMNS, csv_lines, neutralised

NOTE = '=HYPERLINK("http://evil.example","click"), then "this", a comma\nand a second line'


def entry(**changed: object) -> AuditView:
    fields: dict[str, object] = {
        "id": 7,
        "at": datetime(2026, 12, 4, 12, 0, tzinfo=UTC),
        "action": "conversation.human_reply",
        "sign_in": "admin_cookie",
        "address": "127.0.0.1",
        "user_agent": "Mozilla/5.0",
        "target": "conv_1",
        "before": None,
        "after": {"message_ids": ["m_1"], "odd": "tab\there, nul\x00, ünïcode"},
        "note": NOTE,
    }
    return AuditView.model_validate({**fields, **changed})


def read(lines: list[str]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("".join(lines), newline="")))


def test_a_note_with_commas_quotes_a_newline_and_a_leading_equals_round_trips_as_text() -> None:
    (row,) = read(list(csv_lines([entry()])))
    assert list(row) == list(COLUMNS)
    assert row["note"] == "'" + NOTE  # the apostrophe: a spreadsheet shows it as text
    assert json.loads(row["after"]) == {"message_ids": ["m_1"], "odd": "tab\there, nul\x00, ünïcode"}
    assert row["before"] == "null" and row["id"] == "7" and row["at"].startswith("2026-12-04T12:00:00")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start: str) -> None:
    (row,) = read(list(csv_lines([entry(user_agent=f"{start}cmd|' /C calc'!A0")])))
    assert row["user_agent"] == f"'{start}cmd|' /C calc'!A0"


def test_ordinary_text_is_left_alone() -> None:
    assert neutralised("Mozilla/5.0 (X11)") == "Mozilla/5.0 (X11)"
    assert neutralised("") == ""


def test_every_cell_is_quoted() -> None:
    header, line = list(csv_lines([entry(note="plain")]))
    assert header.startswith('"id","at"') and line.startswith('"7","2026-12-04')
