from __future__ import annotations

import json

from pydantic import BaseModel, Field

from switchboard.patterns.order_numbers import ARGUMENT_PATTERN
from switchboard.patterns.tool_arguments import InvalidArguments, validate


class OrderArgs(BaseModel):
    order_id: str = Field(pattern=ARGUMENT_PATTERN)


def test_valid_arguments_come_back_typed() -> None:
    assert validate("get_order", OrderArgs, {"order_id": "10057"}) == OrderArgs(order_id="10057")


def test_invalid_arguments_become_an_error_the_model_can_repair_from() -> None:
    result = validate("get_order", OrderArgs, {"order_id": "the tent order"})
    assert isinstance(result, InvalidArguments) and result.tool == "get_order"
    body = json.loads(result.for_model())
    assert body["error"] == "invalid_arguments" and "order_id" in body["problems"][0]
    assert "the tent order" in body["problems"][0] and "call the tool again" in body["hint"]
    missing = validate("get_order", OrderArgs, {})
    assert isinstance(missing, InvalidArguments) and "order_id: Field required" in missing.problems[0]
