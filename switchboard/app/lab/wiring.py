"""What each chapter wires into the app, in words: `switchboard wiring [N]` prints it, and a
chapter's page can show it. The parts come from agents/chapters.py, the switches from the
registry (a chapter's switches run inside the parts wired by then)."""

from __future__ import annotations

from switchboard.agents.chapters import contributed
from switchboard.app.lab.registry import CHAPTERS, REGISTRY


def wiring_lines(chapter: int) -> list[str]:
    """Chapter N's additions to chapter N−1's app: its nodes, wrappers and guards, then its switches."""
    lines = [f"Chapter {chapter} — {CHAPTERS[chapter]}"]
    lines += [f"  + {part.kind} {part.name}: {part.adds}" for part in contributed(chapter)]
    switches = [f.name for f in REGISTRY if f.chapter == chapter and f.built]
    lines.append(f"  switches: {', '.join(switches)}" if switches else "  switches: none")
    return lines
