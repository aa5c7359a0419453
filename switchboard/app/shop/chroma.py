"""The one place a Chroma client is made: embedded in the data folder, or a Chroma server.

The knowledge base and the semantic cache share it, so replicas that point at one server
(`SWITCHBOARD_CHROMA_URL`) search the same articles and serve each other's cached answers.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings


def chroma_client(path: Path, url: str = "") -> ClientAPI:
    """`url` (http://host:port) set: a client of that server; empty: an embedded store at `path`."""
    settings = ChromaSettings(anonymized_telemetry=False)
    if not url:
        return chromadb.PersistentClient(path=str(path), settings=settings)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"a Chroma server URL is http(s)://host:port, not {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 8000)
    return chromadb.HttpClient(host=parts.hostname, port=port, ssl=parts.scheme == "https", settings=settings)
