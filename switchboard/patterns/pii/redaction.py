"""Redaction: personal data swapped for placeholders before a model, a log or a trace sees it.

`Vault` — one per conversation. `redact` swaps each value for a stable placeholder
(`<EMAIL_1>`, `<PHONE_2>`), so the model still sees that two mentions are the same number;
`restore` puts the originals back before the answer is shown to its owner. A vault is a plain
dict away from storage (`to_dict` / `from_dict`).

`mask(text)` — for logs and records: `[EMAIL]`, `[CARD]`, nothing recoverable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, cast

from switchboard.patterns.pii.detection import KINDS, Kind, PiiSpan, find_pii
from switchboard.patterns.pii.gazetteer import EMPTY, NameGazetteer

_PLACEHOLDER = re.compile(r"<([A-Z]+(?:_[A-Z]+)*_\d+)>")
_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")


def _label(kind: Kind) -> str:
    return kind.upper()


def _identity(kind: Kind, value: str) -> str:
    """What makes two mentions the same value: digits for numbers, case-folded words otherwise."""
    if kind in ("phone", "card", "iban", "national_id", "driver_licence", "passport"):
        return _NON_ALNUM.sub("", value).upper()
    return " ".join(value.casefold().split())


def _replace(text: str, spans: list[PiiSpan], replacement: list[str]) -> str:
    parts: list[str] = []
    at = 0
    for span, new in zip(spans, replacement, strict=True):
        parts += [text[at : span.start], new]
        at = span.end
    parts.append(text[at:])
    return "".join(parts)


def mask(text: str, people: NameGazetteer = EMPTY) -> str:
    """Replace each span with its kind alone (`[EMAIL]`), for logs and stored records."""
    spans = find_pii(text, people)
    return _replace(text, spans, [f"[{_label(s.kind)}]" for s in spans]) if spans else text


def mask_value(value: Any, masks: Callable[[str], str] = mask) -> Any:
    """Every string in a JSON-shaped value masked (`masks`: how one text is)."""
    if isinstance(value, str):
        return masks(value)
    if isinstance(value, dict):
        return {k: mask_value(v, masks) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(v, masks) for v in value]
    return value


class Vault:
    """Placeholders for one conversation: the same value always gets the same placeholder.

    `people`: the shop's customers' full names, redacted wherever they appear (gazetteer.py)."""

    def __init__(self, people: NameGazetteer = EMPTY) -> None:
        self.people = people
        self._by_identity: dict[tuple[Kind, str], str] = {}
        self._originals: dict[str, tuple[Kind, str]] = {}
        self._counts: dict[Kind, int] = {}

    def __len__(self) -> int:
        return len(self._originals)

    def placeholder(self, kind: Kind, value: str) -> str:
        key = (kind, _identity(kind, value))
        existing = self._by_identity.get(key)
        if existing is not None:
            return existing
        self._counts[kind] = self._counts.get(kind, 0) + 1
        token = f"<{_label(kind)}_{self._counts[kind]}>"
        self._by_identity[key] = token
        self._originals[token] = (kind, value)
        return token

    def redact(self, text: str) -> str:
        spans = find_pii(text, self.people)
        if not spans:
            return text
        return _replace(text, spans, [self.placeholder(s.kind, s.text) for s in spans])

    def restore(self, text: str) -> str:
        """Put the originals back; a placeholder this vault did not issue is left as it is."""
        if "<" not in text:
            return text
        return _PLACEHOLDER.sub(self._original_for, text)

    def _original_for(self, m: re.Match[str]) -> str:
        entry = self._originals.get(m.group())
        return entry[1] if entry else m.group()

    def to_dict(self) -> dict[str, Any]:
        entries = [{"placeholder": p, "kind": k, "value": v} for p, (k, v) in self._originals.items()]
        return {"version": 1, "entries": entries}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], people: NameGazetteer = EMPTY) -> Vault:
        vault = cls(people)
        for entry in data.get("entries", []):
            if entry["kind"] not in KINDS:
                raise ValueError(f"unknown PII kind in stored vault: {entry['kind']!r}")
            vault._load(cast(Kind, entry["kind"]), str(entry["placeholder"]), str(entry["value"]))
        return vault

    def _load(self, kind: Kind, token: str, value: str) -> None:
        self._by_identity[(kind, _identity(kind, value))] = token
        self._originals[token] = (kind, value)
        number = int(token.rsplit("_", 1)[1].rstrip(">"))
        self._counts[kind] = max(self._counts.get(kind, 0), number)
