"""What an HTTP status from a model API means for the gateway's policies, shared by providers."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from switchboard.agents.llm.types import ErrorKind, ProviderError

_STATUS_KINDS: Mapping[int, ErrorKind] = {
    400: "bad_request",
    401: "auth",
    403: "auth",
    404: "bad_request",
    408: "timeout",
    422: "bad_request",
    429: "rate_limited",
    500: "server_error",
    502: "server_error",
    503: "overloaded",
    504: "timeout",
    529: "overloaded",
}


async def status_error(provider: str, response: httpx.Response) -> ProviderError:
    body = (await response.aread()).decode(errors="replace")[:300]
    kind = _STATUS_KINDS.get(response.status_code, "server_error" if response.status_code >= 500 else "bad_request")
    return ProviderError(
        kind, body or response.reason_phrase, provider, retry_after=_retry_after(response), status=response.status_code
    )


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare from model APIs; the backoff decides instead
