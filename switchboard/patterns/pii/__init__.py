"""PII detection and redaction: keep personal data away from models, logs and traces.

Customers paste emails, phone numbers, card numbers, bank details and addresses into support
chats. None of it helps a model answer "where is my order?", and all of it becomes a liability
once it sits in a prompt, a provider's logs or our own traces. The pattern has three parts:
find the data, replace it with placeholders a conversation can restore, mask it for good in logs.

    detection.py    `find_pii`, `PiiSpan`, `Kind`: cards (Luhn), IBANs (mod-97), emails, and
                    the spans below, overlaps resolved
    checksums.py    Luhn, Verhoeff, weighted mod 11, DNI/NIE letter, CPF
    ids.py          national ID numbers: SSN, NI, CPF by shape; a score more after their name
    cued.py         the machinery for identifiers found by the word that names them
    documents.py    driver's-licence and passport numbers, after their cue words
    network.py      IPv4 and IPv6 addresses (stdlib `ipaddress`), not version numbers
    phones.py       phone numbers, checked against libphonenumber's numbering plans;
                    phone_words.py: numbers spelled out in words
    addresses.py    postal addresses, by the shape of house number, street and postcode;
                    addresses_world.py: continental, Indian, Japanese, named-house, rural US
    names.py        personal names, from cues, gazetteers and the company a name keeps;
                    name_words.py holds its vocabulary, read from the .txt files beside it;
                    names_scripts.py: names in Cyrillic, Greek, CJK, Arabic, Devanagari
    redaction.py    `Vault` (per-conversation placeholders, restorable) and `mask` (for logs)

Import each name from the module that owns it; the names below are re-exported so that code
written against the single module this package replaced keeps working.
"""

from switchboard.patterns.pii.detection import KINDS, STRUCTURED, Kind, PiiSpan, find_pii, iban_ok, luhn_ok
from switchboard.patterns.pii.redaction import Vault, mask

__all__ = ["KINDS", "STRUCTURED", "Kind", "PiiSpan", "Vault", "find_pii", "iban_ok", "luhn_ok", "mask"]
