"""The app's services, started for one test on the demo models at zero latency."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from switchboard.app.services import Services, running_services
from switchboard.app.settings import Settings


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    async with running_services(Settings(data_dir=tmp_path, demo_ttft_ms=0, demo_tokens_per_s=0)) as built:
        yield built
