"""Request bodies of the JSON API, validated at the edge."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

MAX_MESSAGE_CHARS = 8000


class NewConversation(BaseModel):
    """Nothing to send: the conversation is the signed-in customer's. (A `customer_id` here is
    refused rather than ignored, so that a client relying on it learns it never counted.)"""

    model_config = ConfigDict(extra="forbid")


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class NewMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="What the customer typed.")

    @field_validator("text")
    @classmethod
    def _sensible(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("message is empty")
        if len(text) > MAX_MESSAGE_CHARS:
            raise ValueError(f"message is {len(text)} characters; the limit is {MAX_MESSAGE_CHARS}")
        return text.strip()


class FlagsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    flags: dict[str, object] | None = None
    preset: str | None = None


class ChaosPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    chaos: dict[str, dict[str, object]] | None = None
    preset: str | None = None


class SessionView(BaseModel):
    customer_id: str
    name: str
    token: str = Field(description="Send as `Authorization: Bearer <token>`; the cookie carries the same.")
    expires_in_s: int
