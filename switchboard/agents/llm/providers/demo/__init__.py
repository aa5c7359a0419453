"""The offline demo model (see provider.py)."""

from switchboard.agents.llm.providers.demo.provider import (
    DEMO_PROFILES,
    DemoProfile,
    DemoProvider,
    with_speed,
)

__all__ = ["DEMO_PROFILES", "DemoProfile", "DemoProvider", "with_speed"]
