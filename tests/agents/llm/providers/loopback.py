"""Serve an ASGI app with uvicorn on a free loopback port, in a thread, for the length of a test."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Yields the server's base URL (http://127.0.0.1:<port>)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # a bound for a loaded machine; a healthy start takes well under a second
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the loopback server did not start")
        time.sleep(0.01)  # waiting for another thread's socket, not for application behaviour
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
