"""Tool-argument validation: check a model's tool call against the tool's schema first.

A model fills tool arguments from the conversation, and gets them wrong: a missing field, an
order number written as "the tent order", a key in the wrong case. Run as given, the tool
fails somewhere inside with an error the model cannot act on — or, worse, does the wrong thing.
Validated first, the model gets back a structured error naming each problem and what was
expected, and can repair the call on its next step. The caller bounds how many repairs it
allows before falling back (for Switchboard: a clarifying question to the customer).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

A = TypeVar("A", bound=BaseModel)


@dataclass(frozen=True)
class InvalidArguments:
    tool: str
    problems: tuple[str, ...]

    def for_model(self) -> str:
        """The tool result the model reads: what was wrong, and that it may try again."""
        return json.dumps(
            {
                "kind": "error",
                "error": "invalid_arguments",
                "tool": self.tool,
                "problems": list(self.problems),
                "hint": "Fix the arguments and call the tool again, or ask the customer for what is missing.",
            }
        )


def validate(tool: str, schema: type[A], arguments: dict[str, Any]) -> A | InvalidArguments:
    try:
        return schema.model_validate(arguments)
    except ValidationError as exc:
        return InvalidArguments(tool, tuple(_problem(e) for e in exc.errors()))


def _problem(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "arguments"
    return f"{where}: {error['msg']} (got {error.get('input')!r})"
