"""The words the name detector knows: gazetteers, look-alikes, titles, particles, and cues.

The gazetteers and look-alikes are plain text beside this module: given_names.txt (given names),
surnames.txt (family names) and name_lookalikes.txt (sections of words a name is confused with:
given names that are also words, words that end a name or show it names a thing, addressees
such as "Team", brand and place phrases). The short closed word classes (titles, particles,
determiners, place words, greetings) and the cues that come before a name ("my name is",
"regards,", "this is", with the strength of each) are here, in code, because they are few and
shaped: a cue carries a strength and what may stand between it and the name.
"""

from __future__ import annotations

import re
from pathlib import Path


def _read(filename: str) -> str:
    return Path(__file__).with_name(filename).read_text(encoding="utf-8")


def _words(text: str) -> frozenset[str]:
    return frozenset(word for line in text.splitlines() for word in line.split("#", 1)[0].split())


def _sections(text: str) -> dict[str, list[str]]:
    """name_lookalikes.txt: "[section]" headers, then lines (comments stripped, blanks skipped)."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif line:
            current.append(line)
    return sections


_LOOKALIKES = _sections(_read("name_lookalikes.txt"))


def _section(name: str) -> frozenset[str]:
    return _words("\n".join(_LOOKALIKES[name]))


GIVEN_NAMES = _words(_read("given_names.txt"))
SURNAMES = _words(_read("surnames.txt"))
AMBIGUOUS = _section("ambiguous")  # given names that are also words, places or brands
NOT_SURNAME = _section("not_surname")  # words that end a name or show it names a place or thing
ADDRESSEES = _section("addressees")  # "Hi Team", "Thanks All"
WORDLIKE_SURNAMES = _section("wordlike_surnames")
FUNCTION_WORDS = _section("function_words")
PRODUCT_NOUNS = _section("product_nouns")
GIVEN_LOWER = frozenset(n.lower() for n in GIVEN_NAMES - AMBIGUOUS if len(n) > 2)
SURNAMES_LOWER = frozenset(n.lower() for n in SURNAMES)
# Lowercase English words common enough that a capitalised one is more likely a word than a name.
COMMON_WORDS = _words(_read("common_words.txt"))
NAME_PARTS = GIVEN_NAMES | AMBIGUOUS | SURNAMES  # words known to be names, common or not
PHRASES = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in _LOOKALIKES["phrases"]) + r")(?!\w)")

TITLES = frozenset(
    """Mr Mrs Ms Miss Mx Dr Prof Mister Frau Herr Mme Mlle Madame Monsieur Señor Señora Señorita Sr Sra Srta
    Signor Signora Sig Doña Dña Dona Mevrouw Meneer Dhr Mevr Fru Herra Sayın
    Auntie Aunty Aunt Uncle Grandma Grandpa Granny Nan Cousin Rev Pastor Imam Rabbi Capt""".split()
)
LOWER_TITLES = frozenset("mr mrs ms miss".split())
NOT_LOWER_NAMES = frozenset(
    "and or to of in on at for is was the a an here there please thanks word".split()
    # possessives and articles of the other languages customers write in ("au nom de ma soeur")
    + "mon ma mes ton ta tes son sa ses notre votre leur mein meine sein seine unser mijn zijn mio mia mi mis tu su"
    " sus meu minha el los las les des il lo gli".split()
)
PARTICLES = frozenset("van von der den de da das do dos du di del della la le bin binti ibn al el ter ten y".split())
DETERMINERS = frozenset("the a an my your our his her their these those".split())
PLACE_WORDS = frozenset("St Saint San Santa Mt Mount Fort Ft Port Lake Loch Glen Cape Isle Lough Lac".split())
# Lowercase words before a place: capitalised words after them need a cue to be a name.
PLACE_PREPOSITIONS = frozenset(
    "in to at near from into via around outside visiting visited hiked hiking toward towards through across".split()
)
# Words that introduce the number after a name ("Klaus-Dieter Brandt Pass-Nr. C7PL3M6V1"): they end
# the name, and end its clause, without saying it names a thing.
FIELD_WORDS = frozenset(
    """Pass-Nr Passnummer Reisepass Passport Passeport Pasaporte Licence License Führerschein Tel Phone Mobile
    Email E-mail Iban Nr No""".split()
)
# After a name: "D'Arcy McAllister is the account holder", "Nguyễn Thị Lan is my name".
AFTER_CUES = tuple(
    tuple(phrase.split())
    for phrase in ("is my name", "is the account holder", "is the cardholder", "is the card holder",
                   "is the name on", "is the recipient", "is the customer", "is the buyer", "here")
)  # fmt: skip
GREETINGS = frozenset("Hi Hello Hey Hiya Dear Thanks Cheers Regards Love Morning Afternoon Evening Yo".split())

# --- cues --------------------------------------------------------------------------------------

_RELATIVES = """husband wife partner son daughter mother father mum mom dad brother sister aunt uncle cousin niece
nephew grandmother grandfather grandma grandpa granddaughter grandson fiancé fiancée fiance fiancee girlfriend
boyfriend friend neighbour neighbor colleague boss flatmate roommate housemate mate kids children sons daughters
parents grandparents friends mother-in-law father-in-law sister-in-law brother-in-law son-in-law daughter-in-law
stepmother stepfather stepson stepdaughter""".split()
_STRONG = ["my name is", "name is", "name was", "my name's", "name on the card", "name on card", "account holder"]
_STRONG += ["name on the account", "name on the order", "cardholder", "card holder", "recipient is", "under the name"]
_STRONG += ["in the name of", "booked under", "signed for by", "signed by", "on behalf of", "first name", "last name"]
_STRONG += ["surname", "family name", "given name", "maiden name"]
_STRONG += ["c/o", "attn", "fao", "for the attention of", "care of", "order under", "account under"]
_STRONG += ["booking under", "reservation under", "registered to", "registered under"]
# The same in the languages customers write in: "me llamo", "je m'appelle", "ich heiße" …
_STRONG += ["me llamo", "mi nombre es", "je m'appelle", "je m’appelle", "mon nom est", "ich heiße", "ich heisse"]
_STRONG += ["mein name ist", "mi chiamo", "il mio nome è", "me chamo", "meu nome é", "o meu nome é", "mijn naam is"]
_STRONG += ["ik heet", "jeg heter", "jag heter", "nazywam się", "mam na imię", "benim adım", "adım"]
_STRONG += ["intestato a", "intestata a", "a nombre de", "au nom de", "auf den namen", "em nome de", "ten name van"]
_STRONG += [f"{p} {r}" for p in ("my", "his", "her", "our", "their") for r in _RELATIVES]
_STRONG += [f"my {r}'s name is" for r in _RELATIVES]
_STRONG += [f"my {r}'s name" for r in _RELATIVES] + [f"my {r}’s name" for r in _RELATIVES]
# These need a colon after them ("Name: …", "From: …").
_COLON = ["name", "full name", "contact", "contact person", "contact name", "recipient", "sender", "attn", "from"]
_COLON += ["customer", "customer name", "deliver to", "ship to", "addressee", "cardholder name"]
_COLON += ["kunde", "kundin", "empfänger", "empfaenger", "destinataire", "destinatario", "destinatária", "nome"]
_COLON += ["nom", "nombre", "cliente", "titular", "intestatario", "naam", "ontvanger", "mottagare", "odbiorca"]
# A sign-off needs a comma, a colon or a new line before the name.
_SIGNOFF = ["regards", "kind regards", "best regards", "warm regards", "warmest regards", "sincerely", "signed"]
_SIGNOFF += ["yours sincerely", "yours truly", "best wishes", "many thanks", "with thanks", "respectfully"]
_SIGNOFF += ["saludos", "un saludo", "atentamente", "cordialement", "bien à vous", "grüße", "grüsse", "lg"]
_SIGNOFF += ["mit freundlichen grüßen", "viele grüße", "cordiali saluti", "saluti", "cumprimentos", "abraços"]
_SIGNOFF += ["met vriendelijke groet", "groetjes", "hälsningar", "med vennlig hilsen", "pozdrawiam", "obrigado"]
_SIGNOFF += ["obrigada", "gracias", "merci", "danke", "grazie"]
_GREETING = ["hi", "hello", "hey", "hiya", "dear", "thanks", "thank you", "thank you so much", "thanks so much"]
_GREETING += ["thanks a lot", "thanks again", "thx", "cheers"]
_WEAK = ["i'm", "i’m", "im", "i am", "this is", "it's", "it’s", "its", "love", "xoxo", "x", "best", "ask for"]
_WEAK += ["speak to", "speak with", "spoke to", "spoke with", "talk to", "talked to", "helped by", "served by"]
_WEAK += ["called", "named", "call", "ring", "text", "try", "soy", "je suis", "ich bin", "sono", "sou", "ik ben"]

STRONG, GREETING, WEAK = 3, 2, 1
ANY_GAP, COLON_GAP, SIGNOFF_GAP = " ,:(\n\t", " :\n\t", " ,:\n\t"

# A token: an initial ("A."), a word with inner apostrophes or hyphens ("O'Brien", "it's",
# "Jean-Luc"), or a run of digits.
TOKEN = re.compile(r"[A-Z]\.(?=[ \n])|[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+")
_Cue = tuple[tuple[str, ...], int, str]  # words, strength, characters allowed between cue and name


def _cue_index() -> dict[str, list[_Cue]]:
    """Cues by their last word, so that a word that ends no cue costs one look-up."""
    index: dict[str, list[_Cue]] = {}
    for phrases, strength, gap in (
        (_WEAK, WEAK, ANY_GAP),
        (_GREETING, GREETING, ANY_GAP),
        (_SIGNOFF, STRONG, SIGNOFF_GAP),
        (_COLON, STRONG, COLON_GAP),
        (_STRONG, STRONG, ANY_GAP),
    ):
        for phrase in phrases:
            words = tuple(TOKEN.findall(phrase))
            index.setdefault(words[-1], []).append((words, strength, gap))
    return index


CUES = _cue_index()

# Endings that mark a family name in its language: Kowalski, Wiśniewska, Shevchenko, Petrović,
# Popescu, Papadopoulos, Öztürkoğlu, Beridze, Gelashvili, Halvorsen.
SURNAME_ENDING = re.compile(
    r"\w{2}(?:ski|ska|wicz|czyk|enko|ovich|ović|ovic|ević|evic|escu|opoulos|opoulou|akis|idis|oğlu|oglu|shvili|dze"
    r"|[^e]sen|sdóttir|sdottir)$"
)

# Chinese, Vietnamese and Korean names are mostly a one-syllable family name from a short list
# and one or two one-syllable given names ("chen jia hui", "nguyen van an", "park ji hoon").
THREE_PART_SURNAMES = frozenset(
    """
    chen wang li zhang liu yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo zheng liang xie song tang
    han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lu ding shen ren yao lau
    chan wong leung cheung ng tan lim goh teo nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo
    duong ly kim lee park choi jung kang cho yoon jang shin
    """.split()
)
# One syllable of Hanyu Pinyin, Vietnamese or Korean romanisation, written without tones.
SYLLABLE = re.compile(
    r"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh|ng|ngh|nh|th|tr|ph|gi|qu|kh)?"
    r"(?:a|o|e|ai|ei|ao|ou|an|en|ang|eng|ong|i|ia|ie|iao|iu|ian|in|iang|ing|iong|u|ua|uo|uai|ui|uan|un|uang|ue"
    r"|v|ve|oon|oo|eon|eun|yeon|ae|oa|oan|ung|inh|anh|uong|uy|uyen|ien|ieu|uc|ac|at|it|ot|ut|am|em|om|im)$"
)
