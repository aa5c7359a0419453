"""PII detection and redaction: keep personal data away from models, logs and traces.

Customers paste emails, phone numbers, card numbers, bank details and addresses into support
chats. None of it helps a model answer "where is my order?", and all of it becomes a liability
once it sits in a prompt, a provider's logs or our own traces. The pattern has three parts:
find the data, replace it with placeholders a conversation can restore, mask it for good in logs.

    detection.py    `find_pii`, `PiiSpan`: cards (Luhn), IBANs (mod-97), SSNs and NI numbers,
                    emails, and the spans below, overlaps resolved
    phones.py       phone numbers, checked against libphonenumber's numbering plans
    addresses.py    postal addresses, by the shape of house number, street and postcode
    names.py        personal names, from cues, gazetteers and the company a name keeps;
                    name_words.py holds its vocabulary, read from the .txt files beside it
    redaction.py    `Vault` (per-conversation placeholders, restorable) and `mask` (for logs)

Import each name from the module that owns it; the names below are re-exported so that code
written against the single module this package replaced keeps working.
"""

from switchboard.patterns.pii.detection import KINDS, STRUCTURED, Kind, PiiSpan, find_pii, iban_ok, luhn_ok
from switchboard.patterns.pii.redaction import Vault, mask

__all__ = ["KINDS", "STRUCTURED", "Kind", "PiiSpan", "Vault", "find_pii", "iban_ok", "luhn_ok", "mask"]
