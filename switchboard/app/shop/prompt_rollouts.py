"""The prompt registry's rollouts (chapter 12), kept in the database (`prompt_rollout`).

    set_candidate  a version of a prompt served to `share`% of conversations (sticky per
                   conversation: patterns/prompt_rollout.py), the rest served the stable one
    promote        the candidate becomes the stable version, for everyone
    roll_back      the candidate is withdrawn: share 0, everyone back on stable

Each change takes the operator's audit `Stamp` and writes its entry in the same transaction.
`versions_for` is what a turn asks: every prompt's version for its conversation — with the
`prompt_canary` switch off, the stable ones.

**One process.** The rollouts are read from the database once, on first use, and kept in memory;
a change is stored first, then in force, as the kill switch's is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, JsonValue
from sqlmodel import select

from switchboard.agents.prompts import PromptBook, UnknownPrompt
from switchboard.app.shop.audit import Stamp
from switchboard.app.shop.db import Sessions
from switchboard.app.shop.models import PromptRolloutRow
from switchboard.patterns.prompt_rollout import Rollout


class RolloutError(ValueError):
    """A change that cannot be made as asked (a share outside 0–100, promoting no candidate)."""


class RolloutView(BaseModel):
    prompt: str
    stable: str
    candidate: str | None
    share: float

    @classmethod
    def of(cls, rollout: Rollout) -> RolloutView:
        return cls(prompt=rollout.prompt, stable=rollout.stable, candidate=rollout.candidate, share=rollout.share)

    def audited(self) -> dict[str, JsonValue]:
        return {"stable": self.stable, "candidate": self.candidate, "share": self.share}


class PromptRollouts:
    def __init__(self, sessions: Sessions, book: PromptBook, now: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._book = book
        self._now = now
        self._rollouts: dict[str, Rollout] | None = None

    @property
    def book(self) -> PromptBook:
        return self._book

    async def all(self) -> dict[str, Rollout]:
        """Every prompt's rollout; a prompt never rolled out has its shipped file as stable."""
        if self._rollouts is None:
            self._rollouts = {name: Rollout(name, version) for name, version in self._book.versions().items()}
            async with self._sessions() as s:
                for row in await s.exec(select(PromptRolloutRow)):
                    self._rollouts[row.prompt] = Rollout(row.prompt, row.stable, row.candidate, row.share)
        return self._rollouts

    async def get(self, prompt: str) -> Rollout:
        self._book.get(prompt)  # UnknownPrompt names the prompts there are
        return (await self.all())[prompt]

    async def versions_for(self, conversation_id: str, canary_on: bool) -> dict[str, str]:
        """The version of every prompt this conversation's turn is served."""
        return {name: r.version_for(conversation_id, canary_on) for name, r in (await self.all()).items()}

    async def set_candidate(self, prompt: str, candidate: str, share: float, stamp: Stamp) -> RolloutView:
        current = await self.get(prompt)
        self._book.get(prompt, candidate)
        if candidate == current.stable:
            raise RolloutError(f"version {candidate!r} of {prompt!r} is already the stable one")
        return await self._store(_checked(current, candidate, share), stamp, current)

    async def promote(self, prompt: str, stamp: Stamp) -> RolloutView:
        current = await self.get(prompt)
        if current.candidate is None:
            raise RolloutError(f"{prompt!r} has no candidate to promote")
        return await self._store(Rollout(prompt, current.candidate), stamp, current)

    async def roll_back(self, prompt: str, stamp: Stamp) -> RolloutView:
        current = await self.get(prompt)
        if current.candidate is None:
            raise RolloutError(f"{prompt!r} has no candidate to roll back")
        return await self._store(Rollout(prompt, current.stable), stamp, current)

    async def _store(self, rollout: Rollout, stamp: Stamp, before: Rollout) -> RolloutView:
        row = PromptRolloutRow(
            prompt=rollout.prompt,
            stable=rollout.stable,
            candidate=rollout.candidate,
            share=rollout.share,
            updated_at=self._now(),
        )
        view = RolloutView.of(rollout)
        async with self._sessions() as s:
            await s.merge(row)
            s.add(stamp.entry(RolloutView.of(before).audited(), view.audited()))
            await s.commit()
        (await self.all())[rollout.prompt] = rollout
        return view


def _checked(current: Rollout, candidate: str, share: float) -> Rollout:
    try:
        return Rollout(current.prompt, current.stable, candidate, share)
    except ValueError as exc:
        raise RolloutError(str(exc)) from None


__all__ = ["PromptRollouts", "RolloutError", "RolloutView", "UnknownPrompt"]
