"""The switchboard: the live state of every flag in the registry (registry.py), presets and names.

A flag whose pattern is not built yet cannot be switched on; nothing pretends it works. A request takes a
snapshot of the flags when it starts, so a change applies to the next request, never to one
in flight. With several replicas on one Redis, a change on one reaches the others' next request
(`document`/`restore`, app/shared/boards.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from switchboard.agents.chapters import KEPT
from switchboard.app.lab.registry import BY_NAME as BY_NAME
from switchboard.app.lab.registry import CHAPTERS as CHAPTERS
from switchboard.app.lab.registry import REGISTRY as REGISTRY
from switchboard.app.lab.registry import Flag as Flag


class FlagError(ValueError):
    """A flag name or preset that does not exist, or a pattern that is not built yet."""


class FlagBoard:
    """The live state of every flag."""

    def __init__(self, registry: tuple[Flag, ...] = REGISTRY, max_chapter: int | None = None) -> None:
        self._registry = {f.name: f for f in registry}
        self.max_chapter = max_chapter
        self._values = {f.name: f.default for f in registry}
        if max_chapter is not None:
            self.apply_preset(f"chapter-{max_chapter}")

    @property
    def registry(self) -> list[Flag]:
        return list(self._registry.values())

    def snapshot(self) -> dict[str, bool]:
        return dict(self._values)

    def set_many(self, changes: Mapping[str, object]) -> None:
        """All or nothing: one bad name or value and no flag changes."""
        checked = {name: self._check(name, value) for name, value in changes.items()}
        self._values.update(checked)

    def _check(self, name: str, value: object) -> bool:
        flag = self._registry.get(name)
        if flag is None:
            raise FlagError(f"unknown flag {name!r}")
        if not isinstance(value, bool):
            raise FlagError(f"flag {name!r} takes true or false, not {value!r}")
        if value and not flag.built:
            raise FlagError(f"flag {name!r} (chapter {flag.chapter}) is not built yet")
        if self.max_chapter is not None and flag.chapter > self.max_chapter and value != self._beyond(flag):
            raise FlagError(
                f"flag {name!r} belongs to chapter {flag.chapter}; this server stops at chapter {self.max_chapter}"
            )
        return value

    def _beyond(self, flag: Flag) -> bool:
        """A later chapter's flag on a server stopped at a chapter: off, unless it is security the
        app keeps at every chapter (agents/chapters.py KEPT: authorisation from the session)."""
        return flag.default and flag.name in KEPT

    def document(self) -> dict[str, bool]:
        """Every flag's state, to be shared with other replicas (app/shared/boards.py)."""
        return self.snapshot()

    def restore(self, document: object) -> None:
        """Another replica's `document`, checked like an edit: all or nothing (FlagError). A flag
        it leaves out keeps its state; one unknown here, or not built, refuses the whole document."""
        if not isinstance(document, dict):
            raise FlagError(f"a flags document is an object of flag names, not {type(document).__name__}")
        self.set_many(document)

    def apply_preset(self, preset: str) -> None:
        values = preset_values(preset, list(self._registry.values()))
        self._values = self.capped(values)

    def capped(self, values: Mapping[str, bool]) -> dict[str, bool]:
        """`values` as this server applies them: a later chapter's flag at its `_beyond` state."""
        if self.max_chapter is None:
            return dict(values)
        last = self.max_chapter
        return {
            n: v if self._registry[n].chapter <= last else self._beyond(self._registry[n]) for n, v in values.items()
        }


def preset_values(preset: str, registry: list[Flag]) -> dict[str, bool]:
    """`all-on` (every built pattern), `all-off`, or `chapter-N` (built patterns of chapters 1..N).
    Modes and opt-in switches stay off in every preset (a flag's `default`): they change how a
    pattern runs or trade something the defaults promise, and are chosen on purpose. A chapter
    preset keeps the security every chapter keeps (KEPT: authorisation from the session) on, as
    a server built to that chapter does; only `all-off`, the explicit everything-off, drops it."""
    if preset == "all-on":
        return {f.name: f.default for f in registry}
    if preset == "all-off":
        return {f.name: False for f in registry}
    if preset.startswith("chapter-") and preset[8:].isdigit():
        last = int(preset[8:])
        if 1 <= last <= max(CHAPTERS):
            return {f.name: f.default and (f.chapter <= last or f.name in KEPT) for f in registry}
    raise FlagError(f"unknown preset {preset!r}: use all-on, all-off or chapter-1 … chapter-{max(CHAPTERS)}")


def parse_flag_spec(spec: str, registry: list[Flag]) -> dict[str, bool]:
    """A preset (`all-on`, `all-off`, `chapter-N`) or `name=on,name=off,...` over the defaults."""
    if "=" not in spec:
        return preset_values(spec, registry)
    board = FlagBoard(tuple(registry))
    changes: dict[str, object] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, value = item.partition("=")
        if value not in ("on", "off", "true", "false"):
            raise FlagError(f"flag {name!r}: use on or off, not {value!r}")
        changes[name.strip()] = value in ("on", "true")
    board.set_many(changes)
    return board.snapshot()


def config_name(snapshot: Mapping[str, bool], registry: list[Flag]) -> str:
    """A configuration named by what differs from the nearest baseline: "defaults",
    "defaults − rag", "all-off + router + rag", "chapter-4 + pii_redaction".

    The baselines are the defaults, all-off and each chapter-N preset short of the last; the one
    needing the fewest differences names it (the defaults win a tie, then all-off, then the
    lowest chapter).
    Only built flags count: the others are off everywhere. The name and the registry give back
    the snapshot, so names tell configurations apart.
    """
    built = [f for f in registry if f.built]
    wanted = {f.name: bool(snapshot.get(f.name)) for f in built}
    named = [_differences(name, preset_values(name, built), wanted, built) for name in _baselines(built)]
    return min(named, key=lambda label: label.count(" + ") + label.count(" − "))


def _baselines(built: list[Flag]) -> list[str]:
    last = max(f.chapter for f in built)
    return ["all-on", "all-off", *(f"chapter-{n}" for n in sorted({f.chapter for f in built}) if n < last)]


def _differences(baseline: str, base: dict[str, bool], wanted: dict[str, bool], built: list[Flag]) -> str:
    label = "defaults" if baseline == "all-on" else baseline  # all-on is the defaults
    for flag in built:
        if wanted[flag.name] != base[flag.name]:
            label += f" {'+' if wanted[flag.name] else '−'} {flag.name}"
    return label


def snapshot_key(snapshot: Mapping[str, bool], registry: list[Flag]) -> str:
    """A short, readable name for a configuration: the built flags and their states."""
    return " ".join(f"{f.name}={'on' if snapshot.get(f.name) else 'off'}" for f in registry if f.built)
