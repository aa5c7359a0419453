"""Personal data in a turn (chapter 11), as the app handles it with `pii_redaction` on.

- On the way in, the customer's message is redacted into placeholders (`<EMAIL_1>`) by the
  conversation's vault (patterns/pii.py) before any model, trace or checkpoint sees it; tool
  output is redacted by the same vault before the model reads it.
- On the way out, placeholders in the answer are restored — for the conversation's owner only,
  and as the answer streams, holding back a placeholder split across chunks.
- The answer is watched for any other customer's personal data (a leak the model was steered
  into, or a tool that should not have answered); it is cut off and withheld if one appears.
- The turn's record is masked (`[EMAIL]`): nothing recoverable is kept in traces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from switchboard.patterns.pii import Vault, mask

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


class LeakGuard:
    """Passes text on unless it carries another customer's data; holds back enough to see it whole."""

    def __init__(self, others: Iterable[str]) -> None:
        self._others = [v.casefold() for v in others if len(v) >= 6]
        self._keep = max((len(v) for v in self._others), default=1) - 1
        self._seen = ""
        self._held = ""
        self.leaked: str | None = None

    def feed(self, text: str) -> str:
        if self.leaked:
            return ""  # once leaked, nothing more of this answer goes out
        kept = self._seen[-self._keep :] if self._keep else ""
        self._seen = kept + text.casefold()  # a value can only end in the new text
        self.leaked = next((v for v in self._others if v in self._seen), None)
        if self.leaked:
            return ""
        pending = self._held + text
        cut = max(len(pending) - self._keep, 0)
        shown, self._held = pending[:cut], pending[cut:]
        return shown

    def flush(self) -> str:
        """The held-back end — unless a leak was found: it may hold the leak's first characters."""
        shown, self._held = ("" if self.leaked else self._held), ""
        return shown


class Outbound:
    """The answer on its way to its owner: placeholders restored, then checked for others' data."""

    def __init__(self, vault: Vault, others: Iterable[str]) -> None:
        self._restorer = StreamRestorer(vault)
        self._guard = LeakGuard(others)

    @property
    def leaked(self) -> str | None:
        return self._guard.leaked

    def feed(self, text: str) -> str:
        return self._guard.feed(self._restorer.feed(text))

    def flush(self) -> str:
        return self._guard.feed(self._restorer.flush()) + self._guard.flush()


class Customers(Protocol):
    async def customers(self) -> Sequence[Any]: ...


class PeopleIndex:
    """Every customer's name, email, phone and street address: what no one else's answer may carry.

    Read from the shop once and kept: the demo's customers do not change while it runs (a shop
    whose customers do would refresh this when one is added or edited)."""

    def __init__(self, shop: Customers) -> None:
        self._shop = shop
        self._people: dict[str, list[str]] | None = None

    async def others(self, customer_id: str) -> list[str]:
        if self._people is None:
            people = await self._shop.customers()
            self._people = {c.id: [c.name, c.email, c.phone, c.address.split(",")[0]] for c in people}
        return [v for owner, values in self._people.items() if owner != customer_id for v in values]


TRACED = ("evidence", "tools", "guards")  # the parts of a record that quote what was said or read


def masked(record: dict[str, Any]) -> dict[str, Any]:
    """The record with what it quotes masked: a trace keeps its shape, not the data."""
    return {k: _mask_value(v) if k in TRACED else v for k, v in record.items()}


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: _mask_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_value(v) for v in value]
    return value
