"""The API fuzzed from its own OpenAPI schema: whatever a client sends, no response is a 5xx,
and every status and body is one the schema documents.

Schemathesis generates requests (valid ones and deliberately broken ones) for every operation
the schema lists and calls the app in process over ASGI. Examples are bounded and derandomised,
so the module is quick and the same requests are sent on every run.

Left out: `POST /api/runs` starts a whole dataset replay in the background (minutes of work
per accepted example); its body is validated by `NewRun`, covered in tests/app/test_runs*.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from switchboard.app.web.main import create_app
from tests.conftest import ADMIN, fast_settings

MAX_EXAMPLES = 20  # per operation; the whole module stays well under a minute on 2 cores
# Every status and body as the schema documents it, on every operation.
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
EXCLUDED = {("POST", "/api/runs")}  # background replays: slow, see the module docstring


CUSTOMER: dict[str, str] = {}  # the signed-in customer's bearer header, set when the app is made


def request_headers() -> dict[str, str]:
    """What every fuzzed request carries: the admin token for operator routes, and a customer's
    session for the chat's (so that those get past the 401 into their validation)."""
    return {**ADMIN, **CUSTOMER}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Any:
    app = create_app(fast_settings(Path(tmp_path_factory.mktemp("fuzz"))))
    CUSTOMER["Authorization"] = f"Bearer {app.state.signer.customer_token('C1001')}"
    loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
    return loaded.exclude(func=lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in EXCLUDED)


def test_no_request_gets_a_server_error(api: Any) -> None:
    failures = [failure for operation in operations(api) if (failure := fuzzed(operation))]
    assert failures == []


def operations(api: Any) -> list[Any]:
    return [result.ok() for result in api.get_all_operations()]


def fuzzed(operation: Any) -> str | None:
    """What went wrong for one operation, or None if every example passed its checks."""

    @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=request_headers(), checks=CHECKS)

    try:
        run()
    except (Exception, BaseExceptionGroup) as failure:  # one operation failing must not hide the others
        return f"{operation.label}: {failure}"
    return None
