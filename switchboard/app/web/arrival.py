"""Notes when each request reached the app, so that a turn's latency budget counts from there.

Under load a request can wait a while inside the app before its turn begins — for the body to
be read, for a database connection to check who is asking. The customer's wait started when
they sent it, so the turn's clock should not start later than the app can see: this outermost
middleware stamps `request.state.arrived` (time.monotonic) before anything else runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send


class StampArrival:
    def __init__(self, app: ASGIApp, clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})["arrived"] = self._clock()
        await self.app(scope, receive, send)


def arrived(state: object) -> float | None:
    """When the request reached the app, if the middleware saw it (a Request's `state`)."""
    stamp = getattr(state, "arrived", None)
    return stamp if isinstance(stamp, float) else None
