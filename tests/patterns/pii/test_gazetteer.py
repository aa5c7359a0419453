from switchboard.patterns.pii.detection import find_pii
from switchboard.patterns.pii.gazetteer import EMPTY, NameGazetteer
from switchboard.patterns.pii.redaction import Vault, mask

SHOP = NameGazetteer.of(["Okonkwo Adeyemi", "Maya  Okonjo", "Cher", "  ", "Ed Li"])


def names(text: str, people: NameGazetteer = SHOP) -> list[str]:
    return [s.text for s in find_pii(text, people) if s.kind == "name"]


def test_of_keeps_full_names_and_normalises_spaces() -> None:
    # one-word names and names under five characters are too often words
    assert SHOP.names == frozenset({"Okonkwo Adeyemi", "Maya Okonjo"})


def test_a_listed_name_is_found_without_any_cue_and_in_any_case() -> None:
    assert names("okonkwo adeyemi ordered it") == ["okonkwo adeyemi"]
    assert names("ask MAYA   OKONJO about the tent") == ["MAYA   OKONJO"]


def test_without_the_gazetteer_the_same_text_has_no_name() -> None:
    assert names("okonkwo adeyemi ordered it", EMPTY) == []


def test_a_listed_name_is_not_found_inside_a_longer_word_or_in_part() -> None:
    assert names("xokonkwo adeyemi's") == []
    assert names("Okonkwo said hello") == []


def test_hard_negatives_stay_negative_with_the_gazetteer() -> None:
    for text in ("is the Stormline Rain Jacket waterproof?", "we're camping at Joshua Tree"):
        assert names(text) == []


def test_vault_and_mask_redact_listed_names() -> None:
    vault = Vault(SHOP)
    assert vault.redact("okonkwo adeyemi here") == "<NAME_1> here"
    assert Vault.from_dict(vault.to_dict(), SHOP).redact("Okonkwo Adeyemi again") == "<NAME_1> again"
    assert mask("parcel for okonkwo adeyemi", SHOP) == "parcel for [NAME]"
