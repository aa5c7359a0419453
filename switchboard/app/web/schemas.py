"""Request bodies of the JSON API, validated at the edge."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

MAX_MESSAGE_CHARS = 8000
MAX_REPLY_CHARS = 4000
MAX_NAME_CHARS = 200
_KEPT_CONTROLS = frozenset("\t\n\r")  # layout a customer means; every other control character is dropped
_VISIBLE_CATEGORIES = frozenset("LNPS")  # letters, numbers, punctuation, symbols (emoji are symbols)


def clean_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """Text a client sent, made safe to store and to show, or a ValueError naming what is wrong.

    Refused: a lone surrogate (not Unicode, so it cannot be encoded for the database or the
    stream), nothing visible (only spaces, zero-width, format, control or combining characters),
    more than `limit` characters. Stripped: control characters other than tab and newlines (NUL
    and ESC mean nothing in a support message and break terminals and C-string consumers).
    """
    if any(unicodedata.category(c) == "Cs" for c in text):
        raise ValueError("text contains a lone surrogate, which is not valid Unicode")
    if not text.strip():
        raise ValueError("message is empty")
    if not any(unicodedata.category(c)[0] in _VISIBLE_CATEGORIES for c in text):
        raise ValueError("message has no visible characters")
    text = "".join(c for c in text if c in _KEPT_CONTROLS or unicodedata.category(c) != "Cc").strip()
    if len(text) > limit:
        raise ValueError(f"message is {len(text)} characters; the limit is {limit}")
    return text


def clean_name(name: str) -> str:
    """A name a client picks from a list (a flag, preset, provider or dial): printable and short."""
    if len(name) > MAX_NAME_CHARS or not name.isprintable():
        raise ValueError(f"names are printable text of up to {MAX_NAME_CHARS} characters")
    return name


def _clean_reply(text: str) -> str:
    return clean_text(text, MAX_REPLY_CHARS)


ClientText = Annotated[str, AfterValidator(clean_text)]
"""What a customer types."""
OperatorText = Annotated[str, AfterValidator(_clean_reply)]
"""What a person on the team types: a reply to a customer."""
Name = Annotated[str, AfterValidator(clean_name)]


class NewConversation(BaseModel):
    """Nothing to send: the conversation is the signed-in customer's. (A `customer_id` here is
    refused rather than ignored, so that a client relying on it learns it never counted.)"""

    model_config = ConfigDict(extra="forbid")


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class NewMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: ClientText = Field(description="What the customer typed.")


class FlagsPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    flags: dict[Name, object] | None = None
    preset: Name | None = None


class ChaosPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    chaos: dict[Name, dict[Name, object]] | None = None
    preset: Name | None = None


class SessionView(BaseModel):
    customer_id: str
    name: str
    token: str = Field(description="Send as `Authorization: Bearer <token>`; the cookie carries the same.")
    expires_in_s: int


class Health(BaseModel):
    """GET /healthz: this replica can serve; `database` is the engine's dialect (sqlite, postgresql);
    `replica` and `pid` say which process answered (its lease id: app/shop/leases.py);
    `chapter` is the N it was built up to (`switchboard serve --chapter N`; None: the full app)."""

    status: str
    database: str
    replica: str
    pid: int
    chapter: int | None = None
