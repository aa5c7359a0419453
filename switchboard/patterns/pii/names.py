"""Personal names: cues, gazetteers of given and family names, and the company a name keeps.

A name has no checksum, so the detector weighs evidence, strongest first:

    strong cue   "my name is", "Name:", "regards,", "signed for by", "my wife", a title (Mr,
                 Frau, Auntie), "… here" opening a message, a line after a sign-off, a closing
                 "— Name": the capitalised words that follow are a name, whatever they are
    greeting     "hi", "thanks", "dear": a known given name, or an unknown word standing alone
                 that is not an addressee like "Team" ("Thanks Obi,")
    weak cue     "this is", "I'm", "ask for", a dash: a known given name, even in lowercase
                 ("hey it's wei") or one that is also a word ("this is Will,")
    after        "… is the account holder", "… is my name", "… here" opening a message: strong
    field        "name" opening a field ("exp 03/30 name li wei"), "c/o", "attn", "NINO:" is a label
    rare words   two to four capitalised words, each a known name part or not among the 20,000
                 commonest English words (common_words.txt), plus one more piece of evidence: a
                 cue, every word known, a known given name first, or a field after ("… CPF")
    no cue       a known given name that is not also a word, place or brand ("Lars said …"),
                 with any capitalised words after it; a capitalised word before a known family
                 name ("Rukhsana Begum") or one with a telling ending ("-ski", "-escu"); a
                 capitalised word listed right after a name ("Tamsin and Jago")

Without a strong cue the words around a name must not say it is something else: a determiner
before it ("the Stanley Classic"), a number or a product noun after it ("Gregory Baltoro 65",
"Jack Wolfskin jackets"), a capitalised word before it mid-sentence ("Big Agnes"), a place word
before it ("Fort William", "St. Louis"). Brand and place phrases ("Helly Hansen", "Ben Nevis")
are never names.

The vocabulary is in name_words.py, most of it read from plain text files beside it
(given_names.txt, surnames.txt, name_lookalikes.txt). Scanning is one pass of word tokens and
set look-ups.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from switchboard.patterns.pii.name_words import (
    ADDRESSEES,
    AFTER_CUES,
    AMBIGUOUS,
    COLON_GAP,
    COMMON_WORDS,
    CUES,
    DETERMINERS,
    FIELD_WORDS,
    FUNCTION_WORDS,
    GIVEN_LOWER,
    GIVEN_NAMES,
    GREETING,
    GREETINGS,
    LOWER_TITLES,
    NAME_PARTS,
    NOT_LOWER_NAMES,
    NOT_SURNAME,
    PARTICLES,
    PHRASES,
    PLACE_PREPOSITIONS,
    PLACE_WORDS,
    PRODUCT_NOUNS,
    SIGNOFF_GAP,
    STRONG,
    SURNAME_ENDING,
    SURNAMES,
    SURNAMES_LOWER,
    SYLLABLE,
    THREE_PART_SURNAMES,
    TITLES,
    TOKEN,
    WEAK,
    WORDLIKE_SURNAMES,
)

# --- punctuation and layout around a name -------------------------------------------------------

_DASH_GAP = re.compile(r"(?:^|\s)[-—–]{1,2}\s+$")
# Before a closing "— Name" the last sentence has ended ("… soon! — Matej Kovač"), unlike in
# "+1 416 555 0136 — Toronto".
_SIGNATURE_DASH = re.compile(r"(?:^|[.!?)]\s*|\n)[-—–]{1,2}\s+$")
_LINE_END = re.compile(r"[ \t.!,]*(?:\n|\Z)")
_CLOSING = re.compile(r"[\s.!]*\Z")
_END_OF_NAME = re.compile(r"\s*(?:[,.!?;:)\]|]|\s[-—–]|\n|$)")
_INNER_CAPITAL = re.compile(r"^(?!Mc|Mac|O'|O’|D'|D’)\w+?[a-z][A-Z]")
_SIGNOFF_LINE = re.compile(
    r"(?i:\b(?:thanks|thank you|many thanks|cheers|regards|kind regards|best regards|warm regards|best|best wishes"
    r"|all the best|sincerely|yours sincerely|yours|love|xoxo|x|ta|thx|take care|with thanks|with love)[\s,.!]*)$"
)


# --- one message, tokenised --------------------------------------------------------------------


def _possessive(word: str) -> bool:
    return word.endswith(("'s", "’s")) and len(word) > 3


def _canonical(word: str) -> str:
    """'Priya's' → 'Priya', 'MARIA' → 'Maria': the form the vocabulary holds."""
    word = word[:-2] if _possessive(word) else word
    return word.title() if word.isupper() and len(word) > 1 else word


class _Scan:
    """A message's tokens, with their words as written and lowercased."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = list(TOKEN.finditer(text))
        self.words = [m.group() for m in self.tokens]
        self.lower = [w.lower() for w in self.words]
        self.size = len(self.tokens)

    def gap(self, k: int) -> str:
        """The characters between token k-1 and token k (before token 0: from the start)."""
        return self.text[self.tokens[k - 1].end() if k else 0 : self.tokens[k].start()]

    def start(self, k: int) -> int:
        return self.tokens[k].start()

    def end(self, k: int) -> int:
        """Where a name ending in token k ends: before a possessive "'s"."""
        return self.tokens[k].end() - (2 if _possessive(self.words[k]) else 0)

    def spaced(self, k: int) -> bool:
        """Token k follows token k-1 after a single space."""
        return 0 < k < self.size and self.gap(k) == " "


# --- evidence before a name --------------------------------------------------------------------


def _cue_before(scan: _Scan, i: int) -> int:
    """The strongest cue that ends right before token i: STRONG, GREETING, WEAK or 0."""
    if i == 0:
        return 0
    gap = scan.gap(i)
    if scan.words[i - 1] in TITLES and gap in (" ", ". "):
        return STRONG
    if _name_field(scan, i):
        return STRONG
    best = 0
    for words, strength, allowed in CUES.get(scan.lower[i - 1], ()):
        if strength > best and tuple(scan.lower[max(0, i - len(words)) : i]) == words and _gap_fits(gap, allowed):
            best = strength
    return best or (WEAK if _DASH_GAP.search(gap) else 0)


def _name_field(scan: _Scan, i: int) -> bool:
    """ "… exp 03/30 name li wei", "name Elodie Marchand iban …": "name" opening a field.

    The word "name" with a space after it is a cue only where a field starts: at the start of
    the message, after a number or after punctuation, never after a word ("the brand name X")."""
    if scan.lower[i - 1] != "name" or scan.gap(i) != " ":
        return False
    k = i - 1
    return k == 0 or scan.words[k - 1].isdigit() or bool(scan.gap(k).strip())


def _gap_fits(gap: str, allowed: str) -> bool:
    if not gap or gap.strip(allowed):
        return False
    if allowed == COLON_GAP:
        return ":" in gap
    return allowed != SIGNOFF_GAP or bool(gap.strip(" \t"))  # a sign-off: a comma, colon or new line


def _starts_sentence(scan: _Scan, k: int) -> bool:
    return k == 0 or any(ch in ".!?\n…:" for ch in scan.gap(k))


def _thing_before(scan: _Scan, i: int) -> bool:
    """The words before token i show it names a place or a thing: "the Stanley", "Big Agnes"."""
    if i == 0:
        return False
    prev, gap = scan.words[i - 1], scan.gap(i)
    if prev in PLACE_WORDS and gap in (" ", ". "):
        return True  # Fort William, St. Louis, Lake Louise
    if gap != " ":
        return False
    if prev.islower():
        return prev in DETERMINERS
    known = prev in GREETINGS or prev in TITLES or _canonical(prev) in GIVEN_NAMES
    return not known and not _starts_sentence(scan, i - 1)


def _thing_after(scan: _Scan, j: int) -> bool:
    """The word after a name shows it names a thing: "Gregory Baltoro 65", "Hunter boots"."""
    if not scan.spaced(j):
        return False
    word = scan.words[j]
    return word.isdigit() or scan.lower[j] in PRODUCT_NOUNS or _canonical(word) in NOT_SURNAME


# --- the name itself ---------------------------------------------------------------------------


def _is_initial(word: str) -> bool:
    return len(word) == 2 and word[1] == "."


def _continues(word: str, all_caps: bool) -> bool:
    """Whether a capitalised word can be the next part of a name."""
    if not word[0].isupper() or word in TITLES or word in FIELD_WORDS:
        return False
    if word.isupper() and len(word) > 1 and not all_caps and not _is_initial(word):  # "Desmond A. Whitcombe"
        return False
    return _is_initial(word) or _canonical(word) not in NOT_SURNAME or _canonical(word) in SURNAMES


def _two_particles(scan: _Scan, j: int) -> bool:
    pair = scan.words[j] in PARTICLES and j + 1 < scan.size and scan.words[j + 1] in PARTICLES
    return pair and scan.spaced(j + 1) and scan.spaced(j + 2)


def _extend(scan: _Scan, i: int) -> int:
    """The end (exclusive) of the name starting at token i: up to four words, particles between."""
    all_caps, j = scan.words[i].isupper() and len(scan.words[i]) > 2, i + 1
    while j < scan.size and j - i < 4 and scan.spaced(j) and not _possessive(scan.words[j - 1]):
        if scan.words[j] in PARTICLES and scan.spaced(j + 1) and _continues(scan.words[j + 1], all_caps):
            j += 2  # "Anouk de Vries"
        elif _two_particles(scan, j) and _continues(scan.words[j + 2], all_caps):
            j += 3  # "Pieter van der Berg", "María de la Cruz"
        elif _continues(scan.words[j], all_caps):
            j += 1
        else:
            break
    return j


def _family_name(word: str) -> bool:
    """A known family name that is not also a word, or one with a telling ending ("-ski", "-escu")."""
    if word.isupper() or len(word) < 3 or not word[0].isupper():
        return False
    surname = _canonical(word)
    return (surname in SURNAMES and surname not in WORDLIKE_SURNAMES) or SURNAME_ENDING.search(surname) is not None


def _ends_here(scan: _Scan, i: int, j: int) -> bool:
    """A name that is also a word stands alone: "this is Will," but not "it's May already"."""
    return j > i + 1 or _END_OF_NAME.match(scan.text, scan.end(i)) is not None


# --- evidence after a name ---------------------------------------------------------------------


def _opens_message(scan: _Scan, i: int, j: int) -> bool:
    """ "Yuki Sato here —", "Hi, Oluwaseun here.": a name, then "here", opening the message."""
    if not scan.spaced(j) or scan.lower[j] != "here":
        return False
    opened = i == 0 or any(ch in ",!.\n" for ch in scan.gap(i)) or scan.words[i - 1] in GREETINGS
    return opened and _END_OF_NAME.match(scan.text, scan.tokens[j].end()) is not None


def _named_after(scan: _Scan, i: int, j: int) -> bool:
    """ "D'Arcy McAllister is the account holder", "mateo here": the words after say it is a name.

    The name must open its sentence or clause, so "the Ridgeline is the …" is not one."""
    opened = _starts_sentence(scan, i) or "," in scan.gap(i) or scan.words[i - 1] in GREETINGS
    if not opened or not scan.spaced(j):
        return False
    for words in AFTER_CUES:
        end = j + len(words)
        if end <= scan.size and tuple(scan.lower[j:end]) == words and all(scan.spaced(k) for k in range(j, end)):
            return words != ("here",) or _END_OF_NAME.match(scan.text, scan.tokens[end - 1].end()) is not None
    return False


def _signs_off(scan: _Scan, i: int, j: int) -> bool:
    """A line holding only the name, after a line that signs off ("Kind regards,\nHelen Marsh")."""
    gap = scan.gap(i)
    if i == 0 or "\n" not in gap or gap.rsplit("\n", 1)[1].strip(" \t-—–"):
        return False
    if _LINE_END.match(scan.text, scan.end(j - 1)) is None:
        return False
    line_start = scan.start(i) - len(gap.rsplit("\n", 1)[1])
    previous = scan.text[max(0, line_start - 41) : line_start - 1]
    return _SIGNOFF_LINE.search(previous.rsplit("\n", 1)[-1]) is not None


def _greets(scan: _Scan, i: int, j: int, cue: int) -> bool:
    """ "Thanks Obi,", "Hi Layla!": after a greeting, words that are not "Team" or "All"."""
    names = {_canonical(w) for w in scan.words[i:j]}
    return cue == GREETING and not names & ADDRESSEES and _END_OF_NAME.match(scan.text, scan.end(j - 1)) is not None


def _dash_signature(scan: _Scan, i: int, j: int) -> bool:
    """ "… see you soon — Matej Kovač": capitalised words after a dash, closing the message."""
    if _SIGNATURE_DASH.search(scan.text, max(0, scan.start(i) - 4), scan.start(i)) is None:
        return False
    closing = _CLOSING.match(scan.text, scan.end(j - 1)) is not None
    return closing and not {_canonical(w) for w in scan.words[i:j]} & ADDRESSEES


# --- deciding ----------------------------------------------------------------------------------

_Found = tuple[int, int]  # end token (exclusive), strength of the evidence


def _capitalised_name(scan: _Scan, i: int, cue: int) -> _Found | None:
    word = _canonical(scan.words[i])
    if len(word) < 2 or (_is_initial(word) and cue < STRONG):
        return None
    if word.lower() in FUNCTION_WORDS and not _capitalised_given(scan, i, cue):
        return None
    if word in NOT_SURNAME:  # "April" the month, unless a strong cue puts a family name after it
        j = _extend(scan, i + 1) if cue == STRONG and scan.spaced(i + 1) and _family_part(scan.words[i + 1]) else 0
        return (j, STRONG) if j else None
    j = _extend(scan, i)
    if cue == STRONG or _opens_message(scan, i, j) or _signs_off(scan, i, j) or _dash_signature(scan, i, j):
        return j, STRONG
    if _named_after(scan, i, j):
        return j, STRONG
    if word in GIVEN_NAMES and not _thing_after(scan, j):
        if cue and (word not in AMBIGUOUS or _ends_here(scan, i, j)):
            return j, cue
        if word not in AMBIGUOUS and not _thing_before(scan, i):
            return j, 0
    if _greets(scan, i, j, cue):
        return j, cue
    single = j == i + 1 and word not in ADDRESSEES and (word in AMBIGUOUS or _name_like(word))
    if single and ((_introduced(scan, i) and _ends_here(scan, i, j)) or (cue and _reached_at(scan, j))):
        return j, WEAK  # "this is Hope,", "I'm Oyelaran."
    return _before_family_name(scan, i) or _capitalised_pair(scan, i, j, cue)


def _capitalised_given(scan: _Scan, i: int, cue: int) -> bool:
    """ "my name is Will Tanaka", "ask for Will at 212-…": a given name that is also a function
    word counts when written with its capital mid-sentence, after a cue, with a family name after
    it or its phone number."""
    word = scan.words[i]
    if not cue or not word[0].isupper() or word.isupper() or _starts_sentence(scan, i):
        return False
    if _canonical(word) not in GIVEN_NAMES and _canonical(word) not in AMBIGUOUS:
        return False
    family = scan.spaced(i + 1) and _family_part(scan.words[i + 1])
    return (cue == STRONG and (family or _ends_here(scan, i, i + 1))) or family or _reached_at(scan, i + 1)


def _family_part(word: str) -> bool:
    """A capitalised word that can follow a given name: a known family name or an uncommon word."""
    return word[:1].isupper() and not word.isupper() and _name_like(word)


def _known_part(word: str) -> bool:
    """A given or family name the vocabulary knows, or given names joined by a hyphen ("Klaus-Dieter")."""
    canonical = _canonical(word)
    return canonical in NAME_PARTS or ("-" in canonical and all(p in GIVEN_NAMES for p in canonical.split("-")))


def _name_like(word: str) -> bool:
    """A known name part, or a word too rare to be a common English word ("Whitaker").

    A capital inside a word marks a brand ("NeoAir"), except after Mc, Mac, O' or a hyphen."""
    canonical = _canonical(word)
    if canonical in NOT_SURNAME or canonical.lower() in PRODUCT_NOUNS or _INNER_CAPITAL.search(canonical):
        return False
    if _known_part(canonical):
        return True
    parts = canonical.split("-")  # "Heavy-Duty", "E-Commuter": each part must pass on its own
    if len(parts) > 1:
        return all(len(p) > 1 and _name_like(p) for p in parts)
    return canonical.lower() not in COMMON_WORDS


def _capitalised_pair(scan: _Scan, i: int, j: int, cue: int) -> _Found | None:
    """ "this is Darnell Whitaker", "Zhang Wei", "Rose Abernathy —": capitalised words, none common.

    Two to four title-case words in a row, each a known name part or not a common English word,
    with nothing around them that says "thing" (a determiner, a number, a product noun, a place
    word, more capitalised words). Rare words alone are as often brands and places ("Osprey
    Exos", "Addis Ababa"), so one more piece of evidence is needed: a cue before them, every word
    a known name part, a known given name first, or a field after them ("Luciana Prado CPF …")."""
    words = scan.words[i:j]
    if j - i < 2 or any(w.isupper() or not w[0].isupper() or _is_initial(w) for w in words):
        return None
    if not all(_name_like(w) for w in words) or _thing_before(scan, i) or _thing_after(scan, j):
        return None
    if words[0] in PLACE_WORDS or (i > 0 and (scan.lower[i - 1] in DETERMINERS or _inside_phrase(scan, i))):
        return None
    if cue:
        return j, cue
    if i > 0 and scan.words[i - 1] in PLACE_PREPOSITIONS:  # "we live in Chiang Mai"
        return None
    first = _canonical(words[0])
    if all(_known_part(w) for w in words) or _known_given(first) or _field_follows(scan, j):
        return j, 0
    return None


def _known_given(word: str) -> bool:
    return word in GIVEN_NAMES or word in AMBIGUOUS or ("-" in word and _known_part(word))


def _inside_phrase(scan: _Scan, i: int) -> bool:
    """ "My Osprey Rook", "Titanium Long Spork": the run continues a capitalised phrase before it."""
    prev = scan.words[i - 1]
    if not scan.spaced(i) or not prev[0].isupper() or prev.lower() in FUNCTION_WORDS:
        return False
    return prev not in GREETINGS and prev not in TITLES


def _field_follows(scan: _Scan, j: int) -> bool:
    """A field's label or an acronym follows token j-1: "Luciana Prado CPF …", "… Pass-Nr. …"."""
    if j >= scan.size or not scan.spaced(j):
        return False
    word = scan.words[j]
    return word in FIELD_WORDS or (word.isupper() and len(word) > 1)


def _before_family_name(scan: _Scan, i: int) -> _Found | None:
    """ "Rukhsana Begum", "Anouk de Vries": a capitalised word right before a family name."""
    j = i + 3 if scan.spaced(i + 1) and scan.words[i + 1] in PARTICLES else i + 2
    if j > scan.size or not all(scan.spaced(k) for k in range(i + 1, j)) or scan.words[i].isupper():
        return None
    if scan.words[i] in PLACE_WORDS:  # "Santa Cruz", "San Marino"
        return None
    if not _family_name(scan.words[j - 1]) or _thing_before(scan, i) or _thing_after(scan, j):
        return None
    return j, 0


def _lowercase_name(scan: _Scan, i: int) -> _Found | None:
    """ "hey it's wei", "regards, rohan", "this is mrs pham", "mateo here": lowercase names need a cue.

    After a strong cue any given name counts ("name li wei"); a second word that is a family name
    or not a common word is the family name ("my name is jennifer o'neil")."""
    word, cue = scan.words[i], _cue_before(scan, i)
    titled = i > 0 and scan.words[i - 1] in LOWER_TITLES and scan.gap(i) in (" ", ". ")
    given = word in GIVEN_LOWER or (cue == STRONG and word.title() in GIVEN_NAMES and word not in FUNCTION_WORDS)
    given = given and word not in NOT_LOWER_NAMES
    given = given or (cue == STRONG and word.title() in AMBIGUOUS and _reached_at(scan, i + 1))
    if not ((cue and given) or (titled and len(word) > 1 and word not in NOT_LOWER_NAMES)):
        return _lowercase_opening(scan, i)
    j = i + 2 if scan.spaced(i + 1) and _lowercase_family(scan.words[i + 1], cue) else i + 1  # "ngozi okafor"
    if j == i + 2 and word in THREE_PART_SURNAMES and _syllable_follows(scan, j):
        j += 1  # "chen jia hui", "nguyen van an": a family name and two one-syllable given names
    return j, cue or STRONG


def _syllable_follows(scan: _Scan, j: int) -> bool:
    return j < scan.size and scan.spaced(j) and SYLLABLE.match(scan.words[j]) is not None


def _reached_at(scan: _Scan, j: int) -> bool:
    """ "call Hope at 503-555-0145", "my sister rose on 0161 …": the name's own phone number follows."""
    if not scan.spaced(j) or scan.lower[j] not in ("at", "on") or j + 1 >= scan.size:
        return False
    return scan.words[j + 1].isdigit() or scan.text.startswith(("+", "("), scan.tokens[j].end() + 1)


def _lowercase_family(word: str, cue: int) -> bool:
    """The word after a lowercase given name is its family name ("ngozi okafor", "li wei")."""
    if word in SURNAMES_LOWER or (cue == STRONG and word in GIVEN_LOWER):
        return True
    rare = word.islower() and word not in COMMON_WORDS and word not in FUNCTION_WORDS and word not in NOT_LOWER_NAMES
    return cue == STRONG and rare and not word.isdigit()


def _lowercase_opening(scan: _Scan, i: int) -> _Found | None:
    """ "mateo here, still waiting", "christopher lindqvist here": a given name opening the message."""
    if scan.words[i] not in GIVEN_LOWER or not _starts_sentence(scan, i):
        return None
    j = i + 2 if scan.spaced(i + 1) and _lowercase_family(scan.words[i + 1], STRONG) else i + 1
    return (j, STRONG) if _named_after(scan, i, j) else None


def _name_at(scan: _Scan, i: int) -> _Found | None:
    word = scan.words[i]
    if word.isdigit() or (word in TITLES and (scan.spaced(i + 1) or (i + 1 < scan.size and scan.gap(i + 1) == ". "))):
        return None  # a title: the name after it is found with the title as its cue
    if word.isupper() and len(word) > 1 and scan.text.startswith(":", scan.tokens[i].end()):
        return None  # a field's label ("NINO: AB 48 29 17 D"), not the name Nino
    if word[0].isupper():
        return _capitalised_name(scan, i, _cue_before(scan, i))
    if word.title() in GIVEN_NAMES or word.title() in AMBIGUOUS or (i > 0 and scan.words[i - 1] in LOWER_TITLES):
        return _lowercase_name(scan, i)
    return _lowercase_rare_pair(scan, i)


_INTRODUCTIONS = frozenset({("this", "is"), ("i", "am"), ("i'm",), ("i’m",), ("im",)})


def _introduced(scan: _Scan, i: int) -> bool:
    """ "this is …", "I'm …": the writer introducing themselves, right before token i."""
    if i == 0 or scan.gap(i) != " ":
        return False
    return tuple(scan.lower[i - 1 : i]) in _INTRODUCTIONS or tuple(scan.lower[max(0, i - 2) : i]) in _INTRODUCTIONS


def _lowercase_rare_pair(scan: _Scan, i: int) -> _Found | None:
    """ "this is darnell whitaker", "i'm oyelaran bakare": introduced, two words too rare to be English."""
    if not _introduced(scan, i) or not scan.spaced(i + 1):
        return None
    rare = [len(w) > 1 and w.islower() and w.isalpha() and w not in COMMON_WORDS for w in scan.words[i : i + 2]]
    return (i + 2, WEAK) if all(rare) and _ends_here(scan, i, i + 2) else None


def _listed_after(scan: _Scan, j: int) -> int | None:
    """ "Tamsin and Jago", "Giulia or Matteo": the token where a name listed after another starts."""
    if scan.spaced(j) and scan.words[j] in ("and", "or") and scan.spaced(j + 1):
        k = j + 1
    elif j < scan.size and scan.gap(j) == " & ":
        k = j
    else:
        return None
    word = _canonical(scan.words[k])
    if not word[0].isupper() or word in NOT_SURNAME or word in AMBIGUOUS or word in ADDRESSEES:
        return None
    return None if word.lower() in FUNCTION_WORDS or _thing_after(scan, _extend(scan, k)) else k


def name_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each personal name in text, in order."""
    scan, i = _Scan(text), 0
    phrases = [m.span() for m in PHRASES.finditer(text)]
    while i < scan.size:
        found = _name_at(scan, i)
        if found is None:
            i += 1
            continue
        j = found[0]
        while True:
            start, end = scan.start(i), scan.end(j - 1)
            if any(a < end and start < b for a, b in phrases):
                break
            yield start, end
            listed = _listed_after(scan, j)
            if listed is None:
                break
            i, j = listed, _extend(scan, listed)
        i = j
