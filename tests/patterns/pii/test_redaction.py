import json

import pytest

from switchboard.patterns.pii.redaction import Vault, mask

# --- vault and mask ---


def test_redact_and_restore_round_trip() -> None:
    vault = Vault()
    text = "I'm Maya Okafor, maya@example.com, +44 20 7946 0958, card 4111 1111 1111 1111"
    redacted = vault.redact(text)
    assert redacted == "I'm <NAME_1>, <EMAIL_1>, <PHONE_1>, card <CARD_1>"
    assert vault.restore(redacted) == text


def test_same_value_same_placeholder_and_numbering_per_kind() -> None:
    vault = Vault()
    assert vault.redact("a@example.com and b@example.com") == "<EMAIL_1> and <EMAIL_2>"
    assert vault.redact("again: A@Example.com") == "again: <EMAIL_1>"
    assert vault.redact("call 415-555-0132 or (415) 555-0132") == "call <PHONE_1> or <PHONE_1>"


def test_restore_leaves_unknown_placeholders_alone() -> None:
    vault = Vault()
    vault.redact("a@example.com")
    assert vault.restore("<EMAIL_1> / <EMAIL_9> / <CARD_1>") == "a@example.com / <EMAIL_9> / <CARD_1>"


def test_vault_survives_a_dict_round_trip() -> None:
    vault = Vault()
    vault.redact("a@example.com, 415-555-0132")
    stored = json.loads(json.dumps(vault.to_dict()))
    again = Vault.from_dict(stored)
    assert again.restore("<EMAIL_1> <PHONE_1>") == "a@example.com 415-555-0132"
    assert again.redact("b@example.com a@example.com") == "<EMAIL_2> <EMAIL_1>"
    assert len(again) == 3


def test_from_dict_rejects_an_unknown_kind() -> None:
    with pytest.raises(ValueError):
        Vault.from_dict({"entries": [{"placeholder": "<PET_1>", "kind": "pet", "value": "Rex"}]})


def test_mask_keeps_nothing_recoverable() -> None:
    masked = mask("maya@example.com, IBAN GB82 WEST 1234 5698 7654 32, SSN 536-22-8194")
    assert masked == "[EMAIL], IBAN [IBAN], SSN [NATIONAL_ID]"
    assert mask("order 10057 for $364.00") == "order 10057 for $364.00"


def test_new_kinds_get_their_own_placeholders() -> None:
    vault = Vault()
    text = "passport no. X98765432, DL D1234567, ip 203.0.113.9"
    redacted = vault.redact(text)
    assert redacted == "passport no. <PASSPORT_1>, DL <DRIVER_LICENCE_1>, ip <IP_ADDRESS_1>"
    assert vault.restore(redacted) == text
    assert mask(text) == "passport no. [PASSPORT], DL [DRIVER_LICENCE], ip [IP_ADDRESS]"
    assert Vault.from_dict(vault.to_dict()).restore(redacted) == text
