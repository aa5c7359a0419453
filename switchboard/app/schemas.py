"""Request bodies of the JSON API, validated at the edge."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

MAX_MESSAGE_CHARS = 8000


class NewConversation(BaseModel):
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
