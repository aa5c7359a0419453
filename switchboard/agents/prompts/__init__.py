"""Versioned prompt files. Each `<name>.md` starts with a `version:` front-matter line.

Prompts live in files, not in code, so that a change to one is a reviewed diff with its own
version, and each request record can say which versions it ran with. A template names what
varies per turn as `{field}` (`{shop}`: the customer's storefront), filled by `Prompt.render`;
the version is the template's, the same for every tenant.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    text: str

    def render(self, **fields: str) -> str:
        """The text with each `{field}` named here filled in; other braces are left alone, so a
        template may still hold fields a later step fills (escalate's `{ticket_id}`)."""
        text = self.text
        for name, value in fields.items():
            text = text.replace("{" + name + "}", value)
        return text


class PromptBook:
    """Reads every prompt once, at start-up."""

    def __init__(self) -> None:
        folder = resources.files(__package__)
        self._prompts = {
            entry.name.removesuffix(".md"): _parse(entry.name.removesuffix(".md"), entry.read_text())
            for entry in folder.iterdir()
            if entry.name.endswith(".md")
        }

    def get(self, name: str) -> Prompt:
        return self._prompts[name]

    def versions(self) -> dict[str, str]:
        return {name: p.version for name, p in sorted(self._prompts.items())}

    def version(self) -> str:
        """The book's version: every prompt's, as one short hash. A change to any prompt makes a
        new one, so an answer cached under the old prompts is not served under the new."""
        book = ",".join(f"{name}={version}" for name, version in self.versions().items())
        return hashlib.sha256(book.encode()).hexdigest()[:12]


def _parse(name: str, raw: str) -> Prompt:
    _, header, body = raw.split("---\n", 2)
    fields = dict(line.split(": ", 1) for line in header.strip().splitlines())
    return Prompt(name=name, version=fields["version"], text=body.strip())
