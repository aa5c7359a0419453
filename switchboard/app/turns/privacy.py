"""Personal data in a turn (chapter 11), as the app handles it with `pii_redaction` on.

- On the way in, the customer's message is redacted into placeholders (`<EMAIL_1>`) by the
  conversation's vault (patterns/pii/redaction.py) before any model, trace or checkpoint sees it; tool
  output is redacted by the same vault before the model reads it.
- On the way out, placeholders in the answer are restored — for the conversation's owner only,
  and as the answer streams, holding back a placeholder split across chunks.
- The answer is watched (patterns/stream_watch.py) for any other customer's personal data (a leak the model was steered
  into, or a tool that should not have answered); it is cut off and withheld if one appears.
- The turn's record is masked (`[EMAIL]`): nothing recoverable is kept in traces.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, Protocol

from switchboard.agents.record import TRACE_ITEM, TraceItem, TurnRecord
from switchboard.patterns.pii.gazetteer import NameGazetteer
from switchboard.patterns.pii.redaction import Vault, mask, mask_value
from switchboard.patterns.stream_watch import EarlyRelease, StreamWatch, WatchedStrings

_OPEN_PLACEHOLDER = re.compile(r"<[A-Z_]*\d*$")
WITHHELD = (
    "I'm sorry — I can't share details about anyone else's account. Is there something about your own I can help with?"
)


class StreamRestorer:
    """Restores placeholders in streamed text, holding back a placeholder cut across chunks."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._held = ""

    def feed(self, text: str) -> str:
        pending = self._held + text
        partial = _OPEN_PLACEHOLDER.search(pending)
        cut = partial.start() if partial else len(pending)
        self._held = pending[cut:]
        return self._vault.restore(pending[:cut])

    def flush(self) -> str:
        shown, self._held = self._vault.restore(self._held), ""
        return shown


def others_watch(others: Iterable[str], clock: Callable[[], float] = time.monotonic) -> StreamWatch:
    """Another customer's name, email, phone or street in an answer (any case): caught before any
    of it shows but its first character, holding back only text that may be the start of one, and
    that for 10 ms at most before its first character goes out (`EarlyRelease`: never a whole
    word, never more of one value however slowly it comes)."""
    return StreamWatch(
        others_automaton(tuple(v.casefold() for v in others if len(v) >= 6)), early=EarlyRelease(), clock=clock
    )


@lru_cache(maxsize=256)
def others_automaton(values: tuple[str, ...]) -> WatchedStrings:
    """The automaton over `values`, built once per set: a customer's "others" are the same every
    turn, and building it (about 1 ms for the demo's 132 values, more as the shop grows) would
    otherwise be paid on every answer. The automaton is never changed once built; each watch keeps
    its own state."""
    return WatchedStrings.of(values)


class Outbound:
    """The answer on its way to its owner: placeholders restored, then checked for others' data."""

    def __init__(self, vault: Vault, others: Iterable[str], clock: Callable[[], float] = time.monotonic) -> None:
        self._restorer = StreamRestorer(vault)
        self._guard = others_watch(others, clock)

    @property
    def leaked(self) -> str | None:
        return self._guard.hit

    def feed(self, text: str) -> str:
        return self._guard.feed(self._restorer.feed(text))

    def flush(self) -> str:
        return self._guard.feed(self._restorer.flush()) + self._guard.flush()

    def due(self) -> float | None:
        """Seconds until `tick` lets held text out (StreamWatch.due)."""
        return self._guard.due()

    def tick(self) -> str:
        return self._guard.tick()


class Customers(Protocol):
    async def customers(self) -> Sequence[Any]: ...


def personal_data_of(customers: Sequence[Any]) -> dict[str, list[str]]:
    """Each customer's name, email, phone and street address."""
    return {c.id: [c.name, c.email, c.phone, c.address.split(",")[0]] for c in customers}


class PeopleIndex:
    """Every customer's name, email, phone and street address: what no one else's answer may carry,
    and the customers' names as the gazetteer the PII vault finds them by.

    Read from the shop once and kept: the demo's customers do not change while it runs (a shop
    whose customers do would refresh this when one is added or edited)."""

    def __init__(self, shop: Customers) -> None:
        self._shop = shop
        self._people: dict[str, list[str]] | None = None
        self._names: NameGazetteer | None = None

    async def names(self) -> NameGazetteer:
        """Every customer's full name: the vault redacts them wherever they appear, cue or not."""
        if self._names is None:
            self._names = NameGazetteer.of(c.name for c in await self._shop.customers())
        return self._names

    async def others(self, customer_id: str) -> list[str]:
        if self._people is None:
            self._people = personal_data_of(await self._shop.customers())
        return [v for owner, values in self._people.items() if owner != customer_id for v in values]


# the parts of a record that quote what was said or read (its `timeline` is masked item by item
# as the turn runs: masked_item)
TRACED = ("evidence", "tools", "guards", "checks")
# The timeline items that can quote what the customer said or a tool returned; the others carry
# numbers, the names of models and routes, help-centre passages and the vault's placeholders.
_QUOTING = ("tool", "guard", "step", "handoff", "ticket", "approval")


REMEMBERED_TEXTS = 2048  # about the distinct texts of the last few dozen turns


def text_masker(size: int = REMEMBERED_TEXTS) -> Callable[[str], str]:
    """`mask`, remembering the last `size` texts it masked. One is built for the process
    (services) and shared by the record, its timeline items and its call log: a turn quotes the
    same texts in each (the message, tool results, the conversation so far in every request),
    and a scan for personal data costs about 0.1 ms a text; `mask` is a pure function of the
    text, so a remembered answer is the answer."""
    return lru_cache(maxsize=size)(mask)


def masked(record: TurnRecord, masks: Callable[[str], str] = mask) -> TurnRecord:
    """The record with what it quotes masked: a trace keeps its shape, not the data."""
    quoted = mask_value(record.model_dump(include=set(TRACED)), masks)
    return TurnRecord.model_validate({**record.model_dump(), **quoted})


def masked_item(item: TraceItem, masks: Callable[[str], str] = mask) -> TraceItem:
    """A timeline item as the agent view may show it: placeholders stay, personal data is masked."""
    if item.kind == "retrieval":
        return item.model_copy(update={"query": masks(item.query)})
    if item.kind not in _QUOTING:
        return item
    return TRACE_ITEM.validate_python(mask_value(item.model_dump(), masks))
