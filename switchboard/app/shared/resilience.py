"""Circuit breakers and the retry budget shared by every replica, through Redis.

The gateway keeps calling its in-process breakers and budget (patterns/), synchronously and
without a network round-trip; this module keeps them in step with the other replicas' copies
when `SWITCHBOARD_REDIS_URL` is set. Without it nothing here runs.

Breakers. Each replica's own change of state (open until a time, half-open, closed) is recorded
in the hash `switchboard:breaker:<provider>` and published on `switchboard:breaker`; every other
replica adopts it from the channel within milliseconds (and reads the records again every
`period`, in case a message was lost). The record is written by a Lua script, so two replicas
changing one provider's state at once cannot both win:

    a change is accepted ⇔ the record's owner is this replica ∨ the record is closed (or absent)
                          ∨ now ≥ until + grace   (the owner's probe is overdue: presumed gone)

A rejected replica adopts the record instead. The replica whose failures opened the breaker owns
it and alone sends the half-open probes; the others stay open `grace` seconds longer than the
owner's open period, waiting for its verdict (closed, or open again), and probe themselves only
if none comes. Near that deadline two replicas may still probe once each.

Retry budget. Each replica pushes its first attempts and retries since the last push, every
`period` seconds, into a counter hash per time bucket (`switchboard:retry_budget:<n>`, n =
⌊wall / bucket_s⌋, one field per replica and count, HINCRBY with EXPIRE), reads the current and
previous buckets back in the same round-trip, and absorbs what the other replicas added since it
last looked. So a retry spent on one replica counts against the others within `period`; in that
time each replica may overdraw by what it had not yet heard of (the debt is repaid, not forgiven).
A per-call Lua check-and-spend would be exact but would put a round-trip on every retry decision
and every first attempt's deposit; this costs nothing per call.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from switchboard.agents.llm.resilience import Policies
from switchboard.patterns.circuit_breaker import CircuitBreaker, State, Transition
from switchboard.patterns.retry_budget import RetryBudget

if TYPE_CHECKING:  # the redis package comes with the `scale` extra
    from redis.asyncio import Redis
    from redis.asyncio.client import PubSub

log = logging.getLogger(__name__)

CHANNEL = "switchboard:breaker"
BREAKER_KEY = "switchboard:breaker:{provider}"
BUDGET_KEY = "switchboard:retry_budget:{bucket}"

# KEYS[1]: the provider's record. ARGV: replica, state, until, now, grace, provider, channel.
# Returns {accepted (1|0), state, until, owner, version}: the record as it stands after the call.
RECORD_CHANGE = """
local cur = redis.call('HMGET', KEYS[1], 'state', 'until', 'owner', 'version')
local state, owner = cur[1], cur[3]
local untl, version = tonumber(cur[2]) or 0, tonumber(cur[4]) or 0
local contested = state == 'open' or state == 'half_open'
local overdue = tonumber(ARGV[4]) >= untl + tonumber(ARGV[5])
if owner and owner ~= ARGV[1] and contested and not overdue then
  return {0, state, cur[2], owner, version}
end
version = math.max(version + 1, math.floor(tonumber(ARGV[4]) * 1000))
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'until', ARGV[3], 'owner', ARGV[1], 'version', version)
local record = {provider = ARGV[6], state = ARGV[2], owner = ARGV[1], version = version}
record['until'] = tonumber(ARGV[3])
redis.call('PUBLISH', ARGV[7], cjson.encode(record))
return {1, ARGV[2], ARGV[3], ARGV[1], version}
"""


@dataclass(frozen=True)
class BreakerRecord:
    """A provider's breaker as the replicas share it (its hash, and each message on the channel)."""

    provider: str
    state: State
    until: float  # wall seconds: open → when its probe may start; half-open → when the probe began
    owner: str  # the replica whose breaker decided it
    # Grows with every accepted change, and is at least the writer's clock in ms, so it keeps
    # growing after Redis lost its records (a restart): an older record never overrides a newer.
    version: int

    @classmethod
    def from_message(cls, data: bytes | str) -> BreakerRecord:
        fields = json.loads(data)
        return cls(fields["provider"], fields["state"], float(fields["until"]), fields["owner"], int(fields["version"]))

    @classmethod
    def from_reply(cls, provider: str, reply: Sequence[Any]) -> BreakerRecord:
        """From the script's reply or a HMGET of state, until, owner, version."""
        state, until, owner, version = (_text(value) for value in reply)
        return cls(provider, cast(State, state), float(until), owner, int(version))


@dataclass(frozen=True)
class _Change:
    """One of this replica's own breaker changes, waiting to be recorded."""

    provider: str
    state: State
    until: float


class BreakerMirror:
    """Records this replica's breaker changes and adopts the other replicas' (module docstring)."""

    def __init__(
        self,
        redis: Redis,
        breakers: Mapping[str, CircuitBreaker],
        replica: str,
        wall: Callable[[], float] = time.time,
        grace: float = 10.0,
        on_applied: Callable[[BreakerRecord], None] | None = None,
    ) -> None:
        self._redis = redis
        self._breakers = breakers
        self.replica = replica
        self._wall = wall
        self._grace = grace
        self.on_applied = on_applied  # told of each record adopted: a seam for tests and the bench
        self._record = redis.register_script(RECORD_CHANGE)
        self._pending: asyncio.Queue[_Change] = asyncio.Queue()
        self._versions: dict[str, int] = {}  # the last record applied or written, per provider
        for provider, breaker in breakers.items():
            breaker.listeners.append(functools.partial(self._heard, provider))

    def _heard(self, provider: str, change: Transition) -> None:
        """Called inside the breaker, synchronously: only queue the change (open_for is 0 unless open)."""
        until = self._wall() + self._breakers[provider].open_for()
        self._pending.put_nowait(_Change(provider, change.new, until))

    async def flush(self) -> None:
        """Return once every change queued so far is recorded: write those still queued here, and
        wait for the one the publishing loop may be writing."""
        while not self._pending.empty():
            await self._write_next(self._pending.get_nowait())
        await self._pending.join()

    async def publishing(self) -> None:
        """Forever: record each change as it comes."""
        while True:
            await self._write_next(await self._pending.get())

    async def _write_next(self, change: _Change) -> None:
        """A failed write is logged, not retried: the local breaker goes on deciding alone, and
        its next change is recorded afresh."""
        try:
            await self.write(change)
        except Exception:
            log.warning("breaker change for %s not shared", change.provider, exc_info=True)
        finally:
            self._pending.task_done()

    async def write(self, change: _Change) -> None:
        """Record one change; a rejected one means another replica owns the breaker: adopt its record."""
        key = BREAKER_KEY.format(provider=change.provider)
        args: list[str | float] = [self.replica, change.state, repr(change.until), repr(self._wall()), self._grace]
        reply = await self._record(keys=[key], args=[*args, change.provider, CHANNEL])
        record = BreakerRecord.from_reply(change.provider, reply[1:])
        self._versions[change.provider] = max(record.version, self._versions.get(change.provider, 0))
        if not reply[0]:
            self._adopt(record)  # even if already applied: the refused change is undone here

    def apply(self, record: BreakerRecord) -> None:
        """Adopt another replica's change, unless it is this replica's own or older news."""
        if record.owner == self.replica or record.version <= self._versions.get(record.provider, 0):
            return
        self._versions[record.provider] = record.version
        self._adopt(record)

    def _adopt(self, record: BreakerRecord) -> None:
        """Closed, or open until the owner's verdict is due:

        open_for = until + grace − now   (for half-open, `until` is when the owner's probe began)
        """
        breaker = self._breakers.get(record.provider)
        if breaker is None:
            return
        if record.state == "closed":
            breaker.adopt("closed")
        else:
            breaker.adopt("open", open_for=max(0.0, record.until + self._grace - self._wall()))
        if self.on_applied is not None:
            self.on_applied(record)

    async def sync(self) -> None:
        """Read every provider's record and apply it: a replica starting mid-outage starts open."""
        for provider in self._breakers:
            record = await self.read(provider)
            if record is not None:
                self.apply(record)

    async def read(self, provider: str) -> BreakerRecord | None:
        """The provider's shared record, or None before any replica changed its breaker."""
        reply = await self._redis.hmget(BREAKER_KEY.format(provider=provider), "state", "until", "owner", "version")
        return None if reply[0] is None else BreakerRecord.from_reply(provider, reply)

    async def listening(self, pubsub: PubSub) -> None:
        """Forever: apply each record published by the replicas (its own are skipped in `apply`).
        A lost connection is logged and ends the listening; the period's catch-up goes on."""
        try:
            async for message in pubsub.listen():
                if message["type"] == "message":
                    self.apply(BreakerRecord.from_message(message["data"]))
        except Exception:
            log.warning("breaker changes of other replicas no longer heard", exc_info=True)


@dataclass
class BudgetCounts:
    """First attempts and retries: what the holders of one retry budget tell each other."""

    requests: int = 0
    retries: int = 0

    def add(self, count: str, delta: int) -> None:
        """Add `delta` to the count named in a counter field (`<replica>:requests|retries`)."""
        if count == "requests":
            self.requests += delta
        else:
            self.retries += delta


class BudgetMirror:
    """Shares one retry budget between replicas through bucketed counters (module docstring)."""

    def __init__(
        self, redis: Redis, budget: RetryBudget, replica: str, wall: Callable[[], float] = time.time, bucket_s: int = 60
    ) -> None:
        self._redis = redis
        self._budget = budget
        self._replica = replica
        self._wall = wall
        self._bucket_s = bucket_s
        self._pushed = BudgetCounts()  # this replica's counts already in Redis
        self._seen: dict[tuple[int, str], int] = {}  # (bucket, field) → the value last absorbed

    async def sync(self) -> None:
        """Push this replica's counts since the last push; absorb the others' since the last look."""
        bucket = int(self._wall() // self._bucket_s)
        now = BudgetCounts(self._budget.requests, self._budget.spent)
        key = BUDGET_KEY.format(bucket=bucket)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(key, f"{self._replica}:requests", now.requests - self._pushed.requests)
            pipe.hincrby(key, f"{self._replica}:retries", now.retries - self._pushed.retries)
            pipe.expire(key, 3 * self._bucket_s)  # read back up to two buckets later
            pipe.hgetall(key)
            pipe.hgetall(BUDGET_KEY.format(bucket=bucket - 1))
            *_, current, previous = await pipe.execute()
        self._pushed = now
        added = BudgetCounts()
        self._add_news(bucket - 1, previous, added)
        self._add_news(bucket, current, added)
        self._seen = {seen: value for seen, value in self._seen.items() if seen[0] >= bucket - 1}
        self._budget.absorb(added.requests, added.retries)

    def _add_news(self, bucket: int, fields: Mapping[bytes, bytes], added: BudgetCounts) -> None:
        """Add to `added` what the other replicas put in `bucket` since the last look."""
        for name, value in ((_text(k), int(v)) for k, v in fields.items()):
            replica, _, count = name.rpartition(":")
            if replica != self._replica:
                added.add(count, value - self._seen.get((bucket, name), 0))
                self._seen[(bucket, name)] = value


class ResilienceSync:
    """Both mirrors of one replica, on the process's one Redis client."""

    def __init__(
        self,
        redis: Redis,
        policies: Policies,
        providers: Sequence[str],
        replica: str | None = None,
        wall: Callable[[], float] = time.time,
        period: float = 0.5,
    ) -> None:
        self.replica = replica or uuid.uuid4().hex[:12]
        breakers = {provider: policies.breaker(provider) for provider in providers}
        self.breakers = BreakerMirror(redis, breakers, self.replica, wall)
        self.budget = BudgetMirror(redis, policies.budget, self.replica, wall)
        self._redis = redis
        self._period = period
        self._pubsub: PubSub | None = None

    async def start(self) -> None:
        """Subscribe, then read the records: a change made in between is on the channel."""
        self._pubsub = self._redis.pubsub()
        await self._pubsub.subscribe(CHANNEL)
        await self.breakers.sync()
        await self.budget.sync()

    async def run(self) -> None:
        """Until cancelled: record own changes, apply the others', catch up every period."""
        assert self._pubsub is not None, "start() first"
        await asyncio.gather(self.breakers.publishing(), self.breakers.listening(self._pubsub), self._catching_up())

    async def _catching_up(self) -> None:
        """Every period: the budget's sync, and every breaker's record read again, so a change
        whose message was lost (a dropped subscription) is applied within a period anyway."""
        while True:
            await asyncio.sleep(self._period)
            try:
                await self.budget.sync()
                await self.breakers.sync()
            except Exception:
                log.warning("breakers and retry budget not synced", exc_info=True)

    async def close(self) -> None:
        if self._pubsub is not None:
            await self._pubsub.aclose()


@asynccontextmanager
async def shared_resilience(
    redis: Redis | None, policies: Policies, providers: Sequence[str]
) -> AsyncIterator[ResilienceSync | None]:
    """The policies' breakers and budget kept in step with the other replicas while the app runs;
    nothing (None) without a Redis."""
    if redis is None:
        yield None
        return
    sync = ResilienceSync(redis, policies, providers)
    await sync.start()
    task = asyncio.create_task(sync.run())
    try:
        yield sync
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        await sync.close()


def _text(value: bytes | str | int) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
