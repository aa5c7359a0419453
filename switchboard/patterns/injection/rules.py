"""The injection scanner's hand-written rules: the data is rules.toml, this module reads it.

A rule is a regex over normalised text with the weight of its evidence (override phrases,
persona hijack, fake role delimiters, prompt or tool extraction, tool forcing, bulk data
requests, policy bypass, ...) and optional vetoes for known innocent uses: in the matched
text, at the start of what follows it, or ending what precedes it (a question *about* the
phrase: "if I say 'ignore previous instructions', what happens?"). The table is data so
that a rule can be read, weighed and changed without reading code; rules.toml's header says how
it is written. A mistake in it (an unknown fragment or veto, a regex that does not compile) fails
at import, not at the first message.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).with_name("rules.toml")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")  # a quantifier ({2}, {0,3}) holds only digits: never this
_AFTER = 40  # how far past a match `unless_after` looks
_BEFORE = 60  # how far before a match `unless_before` looks


@dataclass(frozen=True)
class Rule:
    """A regex over normalised text with the weight of its evidence, and vetoes for known innocent uses."""

    name: str
    pattern: re.Pattern[str]
    weight: float
    unless: re.Pattern[str] | None = None  # vetoes a match when found in the matched span
    unless_after: re.Pattern[str] | None = None  # ... or at the start of the 40 characters after it
    unless_before: re.Pattern[str] | None = None  # ... or ending the 60 characters before it

    def find(self, text: str) -> re.Match[str] | None:
        for match in self.pattern.finditer(text):
            if not self._vetoed(text, match):
                return match
        return None

    def _vetoed(self, text: str, match: re.Match[str]) -> bool:
        if self.unless is not None and self.unless.search(match.group()):
            return True
        if self.unless_after is not None and self.unless_after.match(text, match.end(), match.end() + _AFTER):
            return True
        before = text[max(0, match.start() - _BEFORE) : match.start()]
        return self.unless_before is not None and self.unless_before.search(before) is not None


def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    """The rules of a rules.toml, in file order, fragments expanded and vetoes compiled."""
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    fragments = _expanded(table["fragments"], {})
    vetoes = {name: re.compile(text) for name, text in _expanded(table["vetoes"], fragments).items()}
    return tuple(_rule(entry, fragments, vetoes) for entry in table["rules"])


def _expanded(templates: Mapping[str, Any], known: Mapping[str, str]) -> dict[str, str]:
    """Each template with its placeholders filled; a template may use the ones above it."""
    done: dict[str, str] = {}
    for name, template in templates.items():
        done[name] = _fill(template, {**known, **done})
    return done


def _fill(template: str | list[str], fragments: Mapping[str, str]) -> str:
    text = "".join(template) if isinstance(template, list) else template
    return _PLACEHOLDER.sub(lambda m: fragments[m.group(1)], text)


def _rule(entry: Mapping[str, Any], fragments: Mapping[str, str], vetoes: Mapping[str, re.Pattern[str]]) -> Rule:
    unless, after, before = entry.get("unless"), entry.get("unless_after"), entry.get("unless_before")
    return Rule(
        name=entry["name"],
        pattern=re.compile(fold_marks(_fill(entry["pattern"], fragments))),
        weight=float(entry["weight"]),
        unless=vetoes[unless] if unless else None,
        unless_after=vetoes[after] if after else None,
        unless_before=vetoes[before] if before else None,
    )


def fold_marks(pattern: str) -> str:
    """A pattern's letters as `normalise` leaves them (NFKC, then combining marks dropped), so
    "システムモード" or "निर्देश" can be written as people type them. Regex syntax is ASCII,
    which neither step changes; case is not folded here, since that would turn \\W into \\w."""
    if pattern.isascii():
        return pattern
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", pattern))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


RULES = load_rules()
