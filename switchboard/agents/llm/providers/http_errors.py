"""HTTP for model APIs, shared by the providers: stream a response's event lines through a
reader, and turn what went wrong — a status, a timeout, a dropped connection — into advice."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

import httpx

from switchboard.agents.llm.types import Chunk, ErrorKind, ProviderError


class LineReader(Protocol):
    """Turns a provider's stream lines into chunks; knows whether any output had started."""

    started: bool

    def read_line(self, line: str) -> list[Chunk]: ...

    def finish(self) -> list[Chunk]: ...


async def stream_lines(
    client: httpx.AsyncClient,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str],
    provider: str,
    reader: LineReader,
) -> AsyncIterator[Chunk]:
    """POST `body` and stream the response through `reader`; every failure is a ProviderError."""
    try:
        async with client.stream("POST", url, json=body, headers=headers) as response:
            if response.status_code >= 400:
                raise await status_error(provider, response)
            async for line in response.aiter_lines():
                for chunk in reader.read_line(line):
                    yield chunk
    except httpx.TimeoutException as exc:
        raise ProviderError("timeout", str(exc) or "timed out", provider, stream_started=reader.started) from exc
    except httpx.TransportError as exc:
        raise ProviderError("server_error", f"connection: {exc}", provider, stream_started=reader.started) from exc
    for chunk in reader.finish():
        yield chunk


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
