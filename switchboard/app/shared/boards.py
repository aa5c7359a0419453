"""The operator's boards — flags, chaos, kill switch, token budgets — shared by every replica.

    Board         what a board offers to be shared: `document()`, its whole state as JSON-able
                  data, and `restore(document)`, which validates one and adopts it whole or raises
                  ValueError and changes nothing.
    SharedBoards  keeps every board in memory (a turn reads it with no round-trip) and in Redis:
                  `push(name)` after a change, `pull()` before a request.
    LocalBoards   one process: nothing to share, both are no-ops (today's behaviour).

Keys: `switchboard:board:<name>` holds a board's document (JSON); `switchboard:boards:version`
counts the pushes. A push writes both in one MULTI, so a reader that sees the new version also
sees the new document. A pull costs one GET while the version stands still; when it moved, one
MGET of the version and every document (atomic in Redis) and a restore of each.

Invariant: whenever no push or pull is under way, every board holds what Redis held at version
`seen`, plus at most the changes this process made after it (pushed, or held while Redis did not
answer: the next pull that reaches Redis publishes those first). A change made elsewhere applies
here on the first pull after its push: a replica's next request.

Concurrent edits of one board on two replicas: the later push wins the whole board (last writer
wins); neither is half-applied.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the redis package comes with the `scale` extra
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

VERSION_KEY = "switchboard:boards:version"


def board_key(name: str) -> str:
    return f"switchboard:board:{name}"


class BoardsUnshared(RuntimeError):
    """A change in force on this replica that could not be published (Redis unreachable)."""


class Board(Protocol):
    def document(self) -> object:
        """The whole state, as JSON-able data."""

    def restore(self, document: object) -> None:
        """Adopt `document` whole, or raise ValueError and change nothing."""


class Boards(Protocol):
    async def pull(self) -> None: ...

    async def push(self, name: str) -> None: ...


class LocalBoards:
    """One process: its boards are the only copy, so there is nothing to fetch or to publish."""

    async def pull(self) -> None:
        return None

    async def push(self, name: str) -> None:
        return None


class SharedBoards:
    """The boards kept in step through one Redis (see the module's docstring for the contract)."""

    def __init__(self, redis: Redis, boards: Mapping[str, Board]) -> None:
        self._redis = redis
        self._boards = dict(boards)
        self._seen = -1  # the version the boards hold; -1: never pulled
        self._lock = asyncio.Lock()  # a pull's restore and a push's bookkeeping never interleave
        self._unpublished: set[str] = set()  # boards changed here while Redis did not answer

    @property
    def seen(self) -> int:
        return self._seen

    async def pull(self) -> None:
        """Adopt what other replicas pushed since the last pull. If Redis cannot be reached the
        boards stay as last seen, and the request is served with them (logged): a shared-state
        outage degrades to one process's view rather than failing every request."""
        from redis.exceptions import RedisError

        try:
            if self._unpublished:
                await self._republish()
            if _number(await self._redis.get(VERSION_KEY)) == self._seen:
                return
            async with self._lock:
                await self._adopt()
        except RedisError as exc:
            log.warning("shared boards not refreshed (Redis: %s); serving them as last seen", exc)

    async def push(self, name: str) -> None:
        """Publish board `name` as it is now: call it right after a change, before any other await.
        Raises BoardsUnshared if Redis cannot take it: the change holds here, the operator is told
        the other replicas do not have it yet, and the first pull that reaches Redis publishes it
        (before adopting anything, so an older document does not undo it here)."""
        from redis.exceptions import RedisError

        document = self._boards[name].document()  # taken before the first await: this change's state
        async with self._lock:
            try:
                version = await self._publish(name, document)
            except RedisError as exc:
                self._unpublished.add(name)
                unshared = f"the {name} change holds on this replica only until Redis answers again ({exc})"
                raise BoardsUnshared(unshared) from exc
            self._unpublished.discard(name)
            if version == self._seen + 1:  # no other push in between: the boards are at `version`
                self._boards[name].restore(document)  # a pull waiting on the lock may have put back the old one
                self._seen = version
            # else: other pushes came between; the next pull fetches them all, this one included

    async def _republish(self) -> None:
        """The boards changed while Redis was unreachable, as they are now. The version they bring
        is not taken as seen: the pull that follows fetches every board, these included."""
        async with self._lock:
            for name in sorted(self._unpublished):
                await self._publish(name, self._boards[name].document())
                self._unpublished.discard(name)

    async def _publish(self, name: str, document: object) -> int:
        """The document and the version's increment, in one MULTI: the new version."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(board_key(name), json.dumps(document))
            pipe.incr(VERSION_KEY)
            _, version = await pipe.execute()
        return int(version)

    async def _adopt(self) -> None:
        names = list(self._boards)
        found = await self._redis.mget([VERSION_KEY, *map(board_key, names)])
        version = _number(found[0])
        if version <= self._seen:
            return
        for name, raw in zip(names, found[1:], strict=True):
            if raw is not None:
                self._restore(name, raw)
        self._seen = version

    def _restore(self, name: str, raw: bytes | str) -> None:
        """A document this replica cannot take (another version's flag, a dial out of range) is
        refused and logged; the board keeps its state rather than half of the document."""
        try:
            self._boards[name].restore(json.loads(raw))
        except ValueError as exc:
            log.warning("shared board %r not adopted: %s", name, exc)


def _number(raw: bytes | str | None) -> int:
    return 0 if raw is None else int(raw)
