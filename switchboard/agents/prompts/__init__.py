"""Versioned prompt files. Each `<name>.md` starts with a `version:` front-matter line.

Prompts live in files, not in code, so that a change to one is a reviewed diff with its own
version, and each request record can say which versions it ran with. A template names what
varies per turn as `{field}` (`{shop}`: the customer's storefront), filled by `Prompt.render`;
the version is the template's, the same for every tenant.

The registry (chapter 12): `<name>.md` is the version shipped as stable; earlier versions and
candidates sit beside it as `versions/<name>/<version>.md`, in the same format, so rolling one
out is choosing a file, never editing one. A version's optional `note:` header says what it is
(a teaching example says so there).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable

VERSIONS_FOLDER = "versions"


class UnknownPrompt(LookupError):
    """No prompt by that name, or no such version of it: the message names what exists."""


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    text: str
    note: str = ""

    def render(self, **fields: str) -> str:
        """The text with each `{field}` named here filled in; other braces are left alone, so a
        template may still hold fields a later step fills (escalate's `{ticket_id}`)."""
        text = self.text
        for name, value in fields.items():
            text = text.replace("{" + name + "}", value)
        return text


class PromptBook:
    """Reads every prompt, and every stored version of it, once, at start-up."""

    def __init__(self) -> None:
        folder = resources.files(__package__)
        self._prompts = {p.name: p for p in _read_folder(folder, name=None)}
        self._history = {name: _history_of(folder, shipped) for name, shipped in self._prompts.items()}

    def get(self, name: str, version: str | None = None) -> Prompt:
        """The shipped prompt, or the named `version` of it."""
        history = self._history.get(name)
        if history is None:
            raise UnknownPrompt(f"no prompt {name!r} (prompts: {', '.join(sorted(self._prompts))})")
        if version is None:
            return self._prompts[name]
        if version not in history:
            raise UnknownPrompt(f"prompt {name!r} has no version {version!r} (versions: {', '.join(history)})")
        return history[version]

    def names(self) -> list[str]:
        return sorted(self._prompts)

    def history(self, name: str) -> list[Prompt]:
        """Every version of a prompt, oldest first (by the number a version starts with)."""
        self.get(name)
        return list(self._history[name].values())

    def diff(self, name: str, a: str, b: str) -> str:
        """A unified diff from version `a` to version `b` of one prompt ("" when they are equal)."""
        old, new = self.get(name, a), self.get(name, b)
        lines = difflib.unified_diff(
            old.text.splitlines(keepends=True),
            new.text.splitlines(keepends=True),
            fromfile=f"{name}@{a}",
            tofile=f"{name}@{b}",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

    def versions(self) -> dict[str, str]:
        """The shipped version of every prompt."""
        return {name: p.version for name, p in sorted(self._prompts.items())}

    def version(self, chosen: Mapping[str, str] | None = None) -> str:
        """The book's version: every prompt's, as one short hash — the shipped versions, with any
        `chosen` for one turn (a canary) in their place. A change to any prompt makes a new one,
        so an answer cached under the old prompts is not served under the new."""
        return book_version({**self.versions(), **(chosen or {})})


def book_version(versions: Mapping[str, str]) -> str:
    """One short hash of a full set of prompt versions."""
    book = ",".join(f"{name}={version}" for name, version in sorted(versions.items()))
    return hashlib.sha256(book.encode()).hexdigest()[:12]


def _read_folder(folder: Traversable, name: str | None) -> list[Prompt]:
    """The `.md` prompts of one folder: named by file (the shipped ones) or all of `name`."""
    return [
        _parse(name or entry.name.removesuffix(".md"), entry.read_text())
        for entry in folder.iterdir()
        if entry.name.endswith(".md") and entry.is_file()
    ]


def _history_of(folder: Traversable, shipped: Prompt) -> dict[str, Prompt]:
    stored = folder / VERSIONS_FOLDER / shipped.name
    older = _read_folder(stored, shipped.name) if stored.is_dir() else []
    every = {p.version: p for p in older} | {shipped.version: shipped}
    return {v: every[v] for v in sorted(every, key=_version_order)}


def _version_order(version: str) -> tuple[int, str]:
    """ "2" < "5" < "5-worse" < "10": by the leading number, then the rest."""
    match = re.match(r"\d+", version)
    return (int(match.group()) if match else -1, version)


def _parse(name: str, raw: str) -> Prompt:
    _, header, body = raw.split("---\n", 2)
    fields = dict(line.split(": ", 1) for line in header.strip().splitlines())
    return Prompt(name=name, version=fields["version"], text=body.strip(), note=fields.get("note", ""))
