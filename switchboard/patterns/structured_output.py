"""Structured output: validate what a model returns against a schema; re-ask when it is wrong.

A model asked for JSON sometimes returns something else: prose around the JSON, a missing
field, a value outside an enum, a truncated object. Parsing it loosely hides the mistake;
failing the turn wastes it. Instead:

1. parse and validate the output against a pydantic model;
2. on failure, ask again — showing the model its own output and the validation errors, so it
   can repair them — at most `attempts - 1` more times;
3. still invalid: the caller's fallback (for Switchboard's router, the knowledge specialist).

`parse` returns the value or a `Rejected` (with the message to re-ask with), never raises.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class Rejected:
    output: str
    errors: str  # what was wrong, in words a model can act on

    def reask(self) -> str:
        return (
            f"Your previous reply was not valid: {self.errors}. It was: {self.output[:300]!r}. "
            "Reply again with only a JSON object that matches the schema."
        )


def parse(text: str, schema: type[T]) -> T | Rejected:
    try:
        return schema.model_validate(json.loads(text))
    except json.JSONDecodeError as exc:
        return Rejected(text, f"not JSON ({exc.msg} at character {exc.pos})")
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'reply'}: {e['msg']}" for e in exc.errors())
        return Rejected(text, problems)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T | None  # None: every attempt was invalid, use the fallback
    attempts: int
    rejections: tuple[Rejected, ...]


async def ask_validated(ask: Callable[[str | None], Awaitable[str]], schema: type[T], attempts: int = 2) -> Outcome[T]:
    """`ask(None)` asks the first time; `ask(message)` re-asks with what was wrong."""
    rejections: list[Rejected] = []
    for attempt in range(1, attempts + 1):
        result = parse(await ask(rejections[-1].reask() if rejections else None), schema)
        if not isinstance(result, Rejected):
            return Outcome(result, attempt, tuple(rejections))
        rejections.append(result)
    return Outcome(None, attempts, tuple(rejections))
