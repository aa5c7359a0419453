"""The book's generated blocks: markdown tables written between markers, and read back.

A block is the text between `<!-- generated:NAME:begin -->` and `<!-- generated:NAME:end -->`;
writing one replaces only that text (the rest of the file is left byte for byte), and writing
the same block twice gives the same file. A file without the pair is an error naming it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from switchboard.app.runs.chapters import BOOK, ChapterFile, Figure, Kind, Measured, chapter_file
from switchboard.evals.projection import DAYS_A_MONTH, SCALES, Projection

VERSION_LINE = re.compile(r"code version `([0-9a-f]{4,40}(?:\+dirty)?|unknown)`")


class MarkersMissing(ValueError):
    """A file lacks a block's begin/end markers (or has them out of order)."""


def markers(name: str) -> tuple[str, str]:
    return f"<!-- generated:{name}:begin -->", f"<!-- generated:{name}:end -->"


def replace_block(text: str, name: str, body: str, where: str) -> str:
    """`text` with everything between NAME's markers replaced by `body`; `where` names the file."""
    begin, end = markers(name)
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise MarkersMissing(f"{where}: no {begin} … {end} pair to write the {name} block between")
    return text[: start + len(begin)] + "\n" + body.strip() + "\n" + text[stop:]


def block_text(text: str, name: str) -> str | None:
    """What lies between NAME's markers (stripped), or None without them."""
    begin, end = markers(name)
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        return None
    return text[start + len(begin) : stop].strip()


def write_block(path: Path, name: str, body: str) -> None:
    path.write_text(replace_block(path.read_text(), name, body, str(path)))


def table_rows(body: str) -> list[list[str]] | None:
    """The first markdown table in `body`: its header and data rows (the separator checked and
    dropped); None when there is no table with a header, a separator and at least one row."""
    lines = [line.strip() for line in body.splitlines()]
    for i in range(len(lines) - 2):
        if _is_row(lines[i]) and re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", lines[i + 1]):
            rows = [lines[i]]
            rows += [line for line in _takewhile_rows(lines[i + 2 :])]
            if len(rows) > 1:
                return [_cells(row) for row in rows]
    return None


def _is_row(line: str) -> bool:
    return line.startswith("|") and line.endswith("|") and len(line) > 1


def _takewhile_rows(lines: Sequence[str]) -> list[str]:
    taken: list[str] = []
    for line in lines:
        if not _is_row(line):
            break
        taken.append(line)
    return taken


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip("|").split("|")]


def code_version_of(body: str) -> str | None:
    found = VERSION_LINE.search(body)
    return found.group(1) if found else None


# --- rendering ---------------------------------------------------------------------------

FORMATS: dict[Kind, str] = {"share": "{:.1%}", "ms": "{:.0f}", "usd": "${:.6f}", "count": "{:g}", "number": "{:.2f}"}


def value_text(value: float | None, kind: Kind) -> str:
    return "—" if value is None else FORMATS[kind].format(value)


def change_text(before: float | None, after: float | None, kind: Kind) -> str:
    """after − before in the figure's unit ("no change" when equal; blank when either is unknown)."""
    if before is None or after is None:
        return ""
    if after == before:
        return "no change"
    delta = after - before
    if kind == "share":
        return f"{delta * 100:+.1f} pp"
    if kind == "usd":
        relative = f" ({delta / before:+.0%})" if before else ""
        return f"{'+' if delta > 0 else '-'}${abs(delta):.6f}{relative}"
    return {"ms": "{:+.0f} ms", "count": "{:+g}", "number": "{:+.2f}"}[kind].format(delta)


@dataclass(frozen=True)
class PlayResult:
    """One play of a chapter, measured before and after."""

    label: str  # e.g. "golden (60 of 119 cases), chaos flaky-tools"
    dataset: str
    chaos: str
    cases: str  # "60 of 119 cases"
    figures: tuple[Figure, ...]
    before: Measured
    after: Measured
    before_cost: Projection
    after_cost: Projection
    paced: bool = False  # the demo models at their own pace, not `--instant`


@dataclass(frozen=True)
class Provenance:
    code_version: str
    command: str
    date: str  # ISO date the measure ran


def columns(number: int, opt_in: Sequence[str] = ()) -> tuple[str, str]:
    """The two columns' names; the after column names any opt-in switch its run turned on."""
    also = "".join(f" + `{name}`" for name in opt_in)
    if number == 1:
        return "no chapters (all-off)", f"chapter 1{also}"
    return ("chapter 1" if number == 2 else f"chapters 1–{number - 1}"), f"chapters 1–{number}{also}"


def before_after_block(
    number: int, plays: Sequence[PlayResult], note: str, made: Provenance, opt_in: Sequence[str] = ()
) -> str:
    """The chapter's figures, each play's pass@1 after its own figures, then note and provenance."""
    before, after = columns(number, opt_in)
    lines = [f"| figure | {before} | {after} | change |", "|---|---|---|---|"]
    pass_at_1 = Figure("pass@1", lambda run: float(run.summary["pass_at_1"]), "share")
    for play in plays:
        prefix = f"{play_name(play)}: " if len(plays) > 1 else ""
        for figure in (*play.figures, pass_at_1):
            old, new = figure.extract(play.before), figure.extract(play.after)
            cells = (value_text(old, figure.kind), value_text(new, figure.kind), change_text(old, new, figure.kind))
            lines.append(f"| {prefix}{figure.label} | {' | '.join(cells)} |")
    return "\n".join([*lines, "", *([note, ""] if note else []), provenance_line(plays, made)])


def play_name(play: PlayResult) -> str:
    """How a row names its play when a chapter has several: the dataset, and any chaos preset."""
    return play.dataset if play.chaos == "calm" else f"{play.dataset} under `{play.chaos}`"


def cost_block(number: int, play: PlayResult, made: Provenance, opt_in: Sequence[str] = ()) -> str:
    """A day and a month at each scale, before and after, then the token mix they are priced from."""
    before, after = columns(number, opt_in)
    lines = [f"| turns a day | {before}: a day | a month | {after}: a day | a month |", "|---|---|---|---|---|"]
    for n in SCALES:
        cells = [_usd(p.per_day_usd(n)) for p in (play.before_cost, play.after_cost)]
        months = [_usd(p.per_month_usd(n)) for p in (play.before_cost, play.after_cost)]
        lines.append(f"| {n:,} | {cells[0]} | {months[0]} | {cells[1]} | {months[1]} |")
    lines += [
        "",
        "| run | cost per turn | input tokens per turn | output tokens per turn | models (tokens per turn, in / out) |",
    ]
    lines.append("|---|---|---|---|---|")
    for name, projection in ((before, play.before_cost), (after, play.after_cost)):
        lines.append(mix_row(name, projection))
    priced = (
        f"Priced from `switchboard/agents/llm/prices.py` and the measured mix of {play.label}; a month is "
        f"{DAYS_A_MONTH} days, and the scale is linear (`switchboard/evals/projection.py`)."
    )
    return "\n".join([*lines, "", priced, "", provenance_line([play], made)])


def mix_row(name: str, projection: Projection) -> str:
    input_tokens = sum(m.input_tokens for m in projection.models)
    output_tokens = sum(m.output_tokens for m in projection.models)
    models = ", ".join(f"{m.model} {m.input_tokens:.0f} / {m.output_tokens:.0f}" for m in projection.models) or "none"
    return f"| {name} | ${projection.per_turn_usd:.6f} | {input_tokens:.0f} | {output_tokens:.0f} | {models} |"


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def provenance_line(plays: Sequence[PlayResult], made: Provenance) -> str:
    datasets = ", ".join(f"`{p.dataset}` ({p.cases})" for p in plays)
    chaos = ", ".join(f"`{p.chaos}`" for p in plays)
    pace = "the demo models at their own pace" if any(p.paced for p in plays) else "`--instant`"
    return (
        f"code version `{made.code_version}` · command `{made.command}` · dataset {datasets} · "
        f"chaos preset {chaos} · {pace}, a fresh data dir per run · {made.date}"
    )


# --- the README's table of contents ------------------------------------------------------


def headline(text: str) -> str | None:
    """A chapter file's headline figure: the first row of its before-after table."""
    body = block_text(text, "before-after")
    rows = table_rows(body) if body else None
    if not rows or len(rows[1]) < 3:
        return None
    figure, before, after = rows[1][:3]
    return f"{figure}: {before} → {after}"


def title_of(text: str, chapter: ChapterFile) -> str:
    found = re.search(rf"^# Chapter {chapter.number} — (.+)$", text, re.MULTILINE)
    return found.group(1).strip() if found else chapter.title


def book_block(docs: Path) -> str:
    """The book's chapters, each linked, with its headline figure (or why there is none yet)."""
    lines = ["| # | chapter | headline figure (before → after the chapter) |", "|---|---|---|"]
    for chapter in BOOK:
        path = chapter_file(docs, chapter)
        text = path.read_text() if path.exists() else ""
        figure = headline(text) or ("not measured yet" if text else "not written yet")
        lines.append(f"| {chapter.number} | [{title_of(text, chapter)}]({chapter.path}) | {figure} |")
    return "\n".join(lines)
