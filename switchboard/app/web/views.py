"""Views shared by the JSON API and the HTML pages, so neither route module imports the other."""

from __future__ import annotations

from typing import Any

from switchboard.app.lab.chaos import ALL_PRESETS
from switchboard.app.services import Services


def chaos_view(services: Services) -> dict[str, Any]:
    breakers = services.gateway.policies.breakers
    return {
        **services.chaos.view(),
        "presets": list(ALL_PRESETS),
        "breakers": {name: breakers[name].state if name in breakers else "closed" for name in services.chaos.providers},
    }
