"""Every request starts with the operator's boards as the fleet last set them.

Before a request reaches its route, `PullBoards` asks `services.boards` to adopt what other
replicas pushed (app/shared/boards.py): one Redis GET while nothing changed, nothing at all
without Redis. A turn, the flags API and the panel all run behind it, so a switch flipped on one
replica applies to the next request on any other. Static files skip it: they read no board.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

STATIC = "/static/"


class PullBoards:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(STATIC):
            await scope["app"].state.services.boards.pull()
        await self.app(scope, receive, send)
