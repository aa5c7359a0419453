"""Eval datasets: JSONL, one case a line, validated with errors that name the file and line.

A case is a customer, one or more user turns, and what a correct assistant does on them:

    {"id": "golden-001", "customer": "C1001", "turns": ["where is my order?"],
     "expect": {"route": "orders", "contains": ["10057"]}, "tags": ["orders"]}

`turns` items are strings, or `{"user": ..., "expect": {...}}` for expectations on an earlier
turn; the top-level `expect` belongs to the last turn. A paraphrase line lists `variants`
instead of `turns`; each variant becomes its own one-turn case (`<id>/1`, `<id>/2`, ...).

An indirect-injection case also has a `plant`: text an attacker put where the assistant reads
it, which the run engine plants for that case's conversation only (`Plant`):

    {"where": "article", "article_id": "...", "title": "...", "body": "..."}   a help-centre
        article, found first by every search of the conversation
    {"where": "tool_result", "tool": "get_order", "field": "delivery_note", "text": "..."}
        the text in what that tool returns, as one more event of the order or shipment
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Route = Literal["orders", "knowledge", "account", "human", "out_of_scope", "generalist"]


class DatasetError(ValueError):
    """A dataset line that cannot be used, with where it is."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line = path, line


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ToolExpectation(_Strict):
    name: str | None = None
    any_of: list[str] = Field(default_factory=list)
    args: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _named(self) -> ToolExpectation:
        if (self.name is None) == (not self.any_of):
            raise ValueError('a tool expectation needs exactly one of "name" or "any_of"')
        return self

    @property
    def names(self) -> list[str]:
        return [self.name] if self.name else self.any_of


class Expect(_Strict):
    route: Route | None = None
    tools: list[ToolExpectation] = Field(default_factory=list)
    contains: list[str] = Field(default_factory=list)
    not_contains: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    escalated: bool | None = None
    blocked: bool | None = None
    declined: bool | None = None  # turned down as out of scope (not an attack the guards stopped)
    no_pii: bool = False
    forbidden_tools: list[str] = Field(default_factory=list)  # tools the turn must not even try


class Plant(_Strict):
    """Text planted for one case: in a help-centre article, or in a tool's result."""

    where: Literal["article", "tool_result"]
    article_id: str | None = Field(default=None, min_length=1)
    title: str | None = None
    body: str | None = Field(default=None, min_length=1)
    tool: Literal["get_order", "track_shipment"] | None = None
    field: str | None = Field(default=None, min_length=1)
    text: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> Plant:
        if self.where == "article" and not (self.article_id and self.body):
            raise ValueError('an article plant needs "article_id" and "body"')
        if self.where == "tool_result" and not (self.tool and self.text):
            raise ValueError('a tool_result plant needs "tool" and "text"')
        return self


class Turn(_Strict):
    user: str = Field(min_length=1)
    expect: Expect = Field(default_factory=Expect)


class Case(_Strict):
    id: str = Field(min_length=1)
    customer: str
    turns: list[Turn] = Field(min_length=1)
    tags: list[str] = Field(default_factory=list)
    must_pass: bool = False
    reference: str | None = None
    plant: Plant | None = None  # planted for this case's conversation by the run engine


class _Line(_Strict):
    id: str = Field(min_length=1)
    customer: str
    turns: list[str | Turn] | None = None
    variants: list[str] | None = None
    expect: Expect = Field(default_factory=Expect)
    tags: list[str] = Field(default_factory=list)
    must_pass: bool = False
    reference: str | None = None
    plant: Plant | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> _Line:
        if (self.turns is None) == (self.variants is None):
            raise ValueError('a case needs exactly one of "turns" or "variants"')
        if not (self.turns or self.variants):
            raise ValueError("a case needs at least one turn")
        return self

    def cases(self) -> list[Case]:
        common = {
            "customer": self.customer,
            "tags": self.tags,
            "must_pass": self.must_pass,
            "reference": self.reference,
            "plant": self.plant,
        }
        if self.variants is not None:
            return [
                Case(id=f"{self.id}/{n}", turns=[Turn(user=v, expect=self.expect)], **common)
                for n, v in enumerate(self.variants, start=1)
            ]
        turns = [t if isinstance(t, Turn) else Turn(user=t) for t in self.turns or []]
        turns[-1] = Turn(user=turns[-1].user, expect=self.expect)
        return [Case(id=self.id, turns=turns, **common)]


def load_dataset(path: Path, customers: Iterable[str] | None = None) -> list[Case]:
    """Every case in the file; the first bad line raises a `DatasetError` naming it."""
    known = set(customers) if customers is not None else None
    cases: list[Case] = []
    seen: set[str] = set()
    for number, raw in enumerate(_lines(path), start=1):
        if not raw.strip():
            continue
        for case in _parse(path, number, raw):
            if case.id in seen:
                raise DatasetError(path, number, f"duplicate case id {case.id!r}")
            if known is not None and case.customer not in known:
                raise DatasetError(path, number, f"unknown customer {case.customer!r}")
            seen.add(case.id)
            cases.append(case)
    if not cases:
        raise DatasetError(path, 0, "the dataset has no cases")
    return cases


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(path, 0, f"cannot read the dataset: {exc.strerror}") from exc


def _parse(path: Path, number: int, raw: str) -> list[Case]:
    try:
        return _Line.model_validate(json.loads(raw)).cases()
    except json.JSONDecodeError as exc:
        raise DatasetError(path, number, f"not valid JSON ({exc.msg})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise DatasetError(path, number, f"{where}: {message}" if where else message) from exc


def dataset_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
