"""Refuses state-changing requests that another site's page made a browser send.

Cookies go with every request a browser makes to this host, whichever site's page asked for
it, so a cookie alone does not show that the signed-in person meant to switch a guard off.
The rule (as Django's and Rails' origin checks do):

    a POST, PUT, PATCH or DELETE is refused with 403 when
      - it has an Origin (or, lacking one, a Referer) whose host is not this server's Host, or
      - it carries cookies, no credentials of its own (no Authorization, no X-Admin-Token
        header, which a cross-site page cannot add without a CORS preflight this app never
        grants) and neither header, so nothing shows where it came from.

Comparing hosts rather than whole origins keeps the check working behind a TLS-terminating proxy.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from switchboard.app.web.auth import HEADER
from switchboard.app.web.errors import error_response

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def from_this_site(headers: Headers) -> bool:
    source = headers.get("origin") or headers.get("referer")
    if source is None:
        return "cookie" not in headers or "authorization" in headers or HEADER in headers
    return source != "null" and urlsplit(source).netloc == headers.get("host", "")


class SameOriginWrites:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE and not from_this_site(Headers(scope=scope)):
            refused = error_response(403, "cross_site_request", "refused: this request did not come from this site")
            await refused(scope, receive, send)
            return
        await self.app(scope, receive, send)
