import pytest

from switchboard.patterns.pii.name_words import AMBIGUOUS, GIVEN_NAMES, SURNAMES
from tests.patterns.pii.support import found, kinds

# --- name ---


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi, my name is Maya Okafor and I need help", "Maya Okafor"),
        ("This is Tom Whitfield, I called yesterday", "Tom Whitfield"),
        ("Kind regards,\nJamal Carter", "Jamal Carter"),
        ("Name: Liam O'Connor", "Liam O'Connor"),
        ("Can Dr. Okonkwo collect it?", "Okonkwo"),
        ("please address the letter to Samuel Adeyemi", "Samuel Adeyemi"),
    ],
)
def test_names(text: str, name: str) -> None:
    assert found(text) == [("name", name)]


@pytest.mark.parametrize(
    "text",
    [
        "May I exchange the Tideline Trail Runner?",
        "Will Parcelway deliver on Saturday?",
        "This is Tidewater Outfitters, right?",
        "I'm Canadian, do you ship to Alberta?",
        "Grace period for returns is 30 days?",
        "Victoria Station pickup point",
    ],
)
def test_name_lookalikes(text: str) -> None:
    assert "name" not in kinds(text)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("this is Ngozi, following up on the stove", ["Ngozi"]),
        ("my partner Tomás Ruiz picked it up", ["Tomás Ruiz"]),
        ("Thanks for sorting it.\nSigned, A. Kowalski", ["A. Kowalski"]),
        ("When I come in, should I ask for Siobhan at the desk?", ["Siobhan"]),
        ("hey it's wei from yesterday", ["wei"]),
        ("i'm ngozi okafor, order 10042 never arrived", ["ngozi okafor"]),
        ("this is mrs pham, about the sleeping bag", ["pham"]),
        ("Yuki Sato here — quick question", ["Yuki Sato"]),
        ("Cheers\nDeclan", ["Declan"]),
        ("Kind regards,\nDr. Hannelore Schmitt", ["Hannelore Schmitt"]),
        ("Diego's phone is off", ["Diego"]),
        ("the recipient is Nguyen Thi Lan, same address", ["Nguyen Thi Lan"]),
        ("Office hours: ask for Frau Becker", ["Becker"]),
        ("Name on the card: MARIA GONZALEZ", ["MARIA GONZALEZ"]),
        ("Lars said the boots would be back this week", ["Lars"]),
        ("Tamsin and Jago are sharing the tent", ["Tamsin", "Jago"]),
        ("employee Grace Kim", ["Grace Kim"]),
    ],
)
def test_names_in_more_contexts(text: str, names: list[str]) -> None:
    assert found(text) == [("name", n) for n in names]


def test_unknown_names_count_with_the_right_company() -> None:
    # None of these given names is in the gazetteer: the context carries them.
    assert found("Thanks Zephyrine, that fixed it") == [("name", "Zephyrine")]
    assert found("Greetings from Ljubljana! — Zorbek Quellmann") == [("name", "Zorbek Quellmann")]
    assert found("Please let Zdravka Wiśniewska know") == [("name", "Zdravka Wiśniewska")]  # a telling ending
    assert found("Quillon de Vries will collect it") == [("name", "Quillon de Vries")]  # a known family name
    assert found("Zorbek here, the pad leaks") == [("name", "Zorbek")]


@pytest.mark.parametrize(
    "text",
    [
        "Is the Big Agnes Copper Spur better than your tent?",
        "Do you stock Jack Wolfskin jackets?",
        "My old Eddie Bauer parka finally died",
        "Does the Gregory Baltoro 65 fit a short torso?",
        "My Dr. Martens are not really hiking boots, right?",
        "Climbing Ben Nevis in March — which boots?",
        "St. Louis to San Diego shipping time?",
        "Can I pick up at Fort William instead?",
        "Going to Lake Louise in August",
        "Bill me later, and Mark my order as urgent",
        "Thanks Team, great service as always",
        "Hi Support, my order 10042 is late",
        "Hi, Sunny day so I'll try the boots",
        "it's May already and no parcel",
        "my Mercedes van has no room for the tent",
        "Shipping to Santa Fe or Las Vegas?",
        "Just got back from Zion and Bryce Canyon",
        "+1 416 555 0136 — Toronto",
        "I'm Very Happy With The Boots",
    ],
)
def test_brands_places_and_words_are_not_names(text: str) -> None:
    assert "name" not in kinds(text)


def test_the_name_vocabulary_loads() -> None:
    assert len(GIVEN_NAMES) > 3000 and len(SURNAMES) > 1000
    assert {"Ngozi", "Siobhán", "Haruto", "Tadhg", "Aroha"} <= GIVEN_NAMES
    assert {"Will", "May", "Victoria", "Hunter"} <= AMBIGUOUS


# --- cues after a name, field cues, capitalised runs of rare words -----------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("D'Arcy McAllister is the account holder", ["D'Arcy McAllister"]),
        ("Nguyễn Thị Lan is my name, can you fix the spelling", ["Nguyễn Thị Lan"]),
        ("mateo here, still waiting on the refund", ["mateo"]),
        ("christopher lindqvist here, still no tracking", ["christopher lindqvist"]),
        ("my name is jennifer o'neil", ["jennifer o'neil"]),
        ("exp 03/30 name li wei", ["li wei"]),
        ("name Elodie Marchand iban pending", ["Elodie Marchand"]),
        ("c/o Müller, Sternschanze", ["Müller"]),
        ("attn Oyelaran Bakare please", ["Oyelaran Bakare"]),
        ("Mark Brown ordered it but i'm his wife April Brown", ["Mark Brown", "April Brown"]),
        ("this is Darnell Whitaker, about my order", ["Darnell Whitaker"]),
        ("Rose Abernathy — please cancel my subscription", ["Rose Abernathy"]),
        ("Luciana Prado CPF on file", ["Luciana Prado"]),
        ("Klaus-Dieter Brandt Pass-Nr. on file", ["Klaus-Dieter Brandt"]),
        ("the order is for (Zhang Wei)", ["Zhang Wei"]),
    ],
)
def test_names_from_new_evidence(text: str, names: list[str]) -> None:
    assert [v for k, v in found(text) if k == "name"] == names


@pytest.mark.parametrize(
    "text",
    [
        # capitalised product names: common words, brands with inner capitals, hyphenated parts
        "is the Stormline Rain Jacket waterproof?",
        "The Thermarest NeoAir keeps deflating",
        "My Osprey Rook is torn at the hip belt",
        "Titanium Long Spork arrived broken",
        "Bastion Heavy-Duty U-Lock arrived broken",
        "Voltline E-Commuter is out of stock",
        "Breakwater Softshell (Clearance) arrived broken",
        "does the Hoka Speedgoat come in blue",
        # places: after a preposition, after a place word, common words
        "we're camping at Joshua Tree in january",
        "we live in Addis Ababa now",
        "shipping to Chiang Mai next week",
        "we live in Santa Cruz now",
        # sentence-initial capitalised words and field words that are not names
        "Building 4 is round the back",
        "Rain Jacket sizes run small",
        "my name is wrong on the label",
        "I'm writing on behalf of my company",
        "the brand name Stormline is on the tag",
    ],
)
def test_capitalised_lookalikes_are_not_names(text: str) -> None:
    assert "name" not in kinds(text)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("this is darnell whitaker, order 5", ["darnell whitaker"]),
        ("I'm Oyelaran.", ["Oyelaran"]),
        ("this is Hope, about my order", ["Hope"]),
        ("call Hope at 503-555-0145, she's picking it up", ["Hope"]),
        ("if no one answers try my sister rose on 0161 496 0388", ["rose"]),
        ("The order under Kealoha has the wrong address", ["Kealoha"]),
        ("me llamo Lucía Fernández", ["Lucía Fernández"]),
        ("Je m'appelle Amélie Dubois", ["Amélie Dubois"]),
        ("Saludos,\nCarmen Ruiz", ["Carmen Ruiz"]),
        ("Mit freundlichen Grüßen\nHeike Vogel", ["Heike Vogel"]),
    ],
)
def test_names_after_introductions_phones_and_other_languages(text: str, names: list[str]) -> None:
    assert [v for k, v in found(text) if k == "name"] == names


@pytest.mark.parametrize(
    "text",
    [
        "this is ridiculous",
        "im gonna return it",
        "its a maestro card",
        "I'm Canadian, do you ship to Alberta?",
        "this is Tidewater, right?",
        "Hello Switchboard, quick one about returns",
        "call Support at 0800 123 456",
        "my son will call on 0161 496 0388",
        "NINO: AB 48 29 17 D",
    ],
)
def test_introductions_and_phone_cues_without_a_name(text: str) -> None:
    assert "name" not in kinds(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my name is Will Tanaka and the stove doesnt light", "Will Tanaka"),
        ("ask for Will at 212-555-0133, he runs the warehouse", "Will"),
        ("visa 4727 2410 0964 4448 name chen jia hui", "chen jia hui"),
        ("Name: Desmond A. Whitcombe", "Desmond A. Whitcombe"),
        ("Intestato a Giancarlo Bellucci. Grazie.", "Giancarlo Bellucci"),
        ("Kundin: Friederike Albrecht-Sommer, bitte", "Friederike Albrecht-Sommer"),
        ("Destinataire: Amélie Laurent", "Amélie Laurent"),
        ("my name is li wei and i ordered the tent", "li wei"),  # "and" is no syllable of a name
    ],
)
def test_word_names_three_part_names_initials_and_foreign_cues(text: str, value: str) -> None:
    assert [v for k, v in found(text) if k == "name"] == [value]


@pytest.mark.parametrize(
    "text",
    [
        "Will it fit in a 40L pack?",
        "what will Will do",  # no cue, no family name, no number after it
        "I will call tomorrow",
        "envoyer la au nom de ma soeur",  # a possessive after a strong cue
        "Plan A. Then we go",
    ],
)
def test_no_name_from_function_words_or_possessives(text: str) -> None:
    assert [v for k, v in found(text) if k == "name"] == []
