"""Answer snapshots: the exact words chosen cases produce, kept in the repository.

Scorers judge whether an answer is right; a snapshot shows *what changed* when a prompt, a
model or a rule changes, so that a reviewer reads the new answers in the diff. Values that
legitimately differ between runs (ticket numbers) are masked before comparing.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from pathlib import Path

_VOLATILE = [(re.compile(r"\bT-[0-9A-F]{6}\b"), "T-XXXXXX")]


def normalise(answer: str) -> str:
    for pattern, mask in _VOLATILE:
        answer = pattern.sub(mask, answer)
    return answer.strip()


def load(path: Path) -> dict[str, str]:
    return dict(json.loads(path.read_text())) if path.exists() else {}


def save(path: Path, answers: Mapping[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(answers.items())), indent=2, ensure_ascii=False) + "\n")


def differences(stored: Mapping[str, str], fresh: Mapping[str, str]) -> list[str]:
    """A readable diff per case whose answer changed, appeared or disappeared."""
    found = []
    for case in sorted(set(stored) | set(fresh)):
        old, new = stored.get(case), fresh.get(case)
        if old == new:
            continue
        diff = difflib.unified_diff((old or "").split(". "), (new or "").split(". "), "stored", "now", lineterm="")
        found.append(f"{case}:\n" + "\n".join(diff))
    return found
