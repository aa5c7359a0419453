"""A throwaway redis-server for the benches that measure what Redis costs: the tests' own starter
(tests/services/redis.py: a free loopback port, no persistence, ready once it answers PING)."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def local_redis() -> Iterator[str]:
    """Its URL, for as long as the `with` lasts."""
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not installed (scripts/ensure-services.sh), or pass --redis-url")
    sys.path.insert(0, str(REPO))  # the starter lives beside the tests
    from tests.services.redis import running_redis

    with tempfile.TemporaryDirectory() as folder, running_redis(Path(folder)) as url:
        yield url
