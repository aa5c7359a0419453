"""The error tree: each domain exception's class, not its message, picks its status."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from switchboard.app.lab.flags import FlagError
from switchboard.app.turns.approvals import AlreadyDecided, ApprovalError
from switchboard.app.web.errors import DOMAIN_ERRORS, install
from switchboard.app.web.templates import templates


class UnknownPreset(FlagError):
    """A subclass nobody listed: it answers as its nearest listed base."""


def raising(exc: Exception) -> TestClient:
    app = FastAPI()
    install(app, templates)

    @app.get("/")
    async def fail() -> None:
        raise exc

    return TestClient(app)


def test_every_refusal_of_a_decision_has_a_status_of_its_own() -> None:
    kinds = ApprovalError.__subclasses__()
    assert set(kinds) <= set(DOMAIN_ERRORS)
    assert len({DOMAIN_ERRORS[kind] for kind in kinds}) == len(kinds)


def test_the_class_picks_the_status_whatever_the_message_says() -> None:
    response = raising(FlagError("already decided: approval not found")).get("/")
    assert response.status_code == 422
    assert response.json() == {"error": {"code": "invalid_flag", "message": "already decided: approval not found"}}
    assert raising(AlreadyDecided("no flag")).get("/").status_code == 409


def test_an_unlisted_subclass_answers_as_its_nearest_listed_base() -> None:
    response = raising(UnknownPreset("no preset 'chapter-99'")).get("/")
    assert (response.status_code, response.json()["error"]["code"]) == (422, "invalid_flag")
