"""Whole address blocks: from a postal tail back to the house number, unit or named house.

addresses.py and addresses_world.py match an address by its grammar, which breaks as soon as a
part falls outside it ("233 S Wacker Dr, 44th Floor, Chicago, IL 60606", "Rural Route 1, Box 88,
Lamoni, IA 50140", "Maison Sakura 201, 3-14-2 Kichijoji, Musashino-shi, Tokyo 180-0004"). This
module reads an address the way a person does: find the postal tail, the one part with a shape
of its own, then walk back over the comma- or line-separated parts before it while they look
like address parts, and start the block at the leftmost part that can open an address.

    tail     strong: US state + ZIP, Canadian province + postal code, UK postcode, Eircode,
             Australian state + postcode, Brazilian CEP, Japanese 〒-less postcode
             weak:   a continental postcode and city ("01307 Dresden", "5020 Salzburg",
             "60313 Frankfurt am Main"), an Indian or Vietnamese six-digit PIN
             then maybe a country ("…, Japan", "…, Österreich")
    parts    at most six, each at most ten words, each word capitalised, a number, a short
             particle ("de", "y", "am") or an address word in any case ("apt", "floor");
             a reference word ("order", "invoice", "tracking") ends the walk
    opener   a house number with a word after it ("233 S Wacker Dr", "12/7 MG Road"), a street
             then its number ("Am Rosenhang 3"), a unit, floor, lot, room or building word, a
             box or rural route, "Attn", a named house ("The Old Rectory", "Maison Sakura 201"),
             or a bare unit code ("B-204", "#805") before another opener

A weak tail also needs a street word in the block ("Jalan", "Road", "-straße", "Society"), so
"2 Tents, 2026 Edition" stays out. A tail typed in lowercase ("springfield il 62704") lets the
parts be lowercase too, but then a lowercase street suffix ("ct", "st", "ave") must appear.
Every walk is bounded (six parts, 200 characters), so the scan stays linear in the message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|"
    "NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’.-]+"
_COUNTRIES = (
    r"Japan|Österreich|Austria|Deutschland|Germany|France|España|Spain|Italia|Italy|Nederland|Netherlands|"
    r"Brasil|Brazil|India|Malaysia|Singapore|Australia|New Zealand|Canada|USA|US|United States|UK|"
    r"United Kingdom|Ireland|Schweiz|Switzerland|Suisse|Belgium|Belgique|Portugal|Mexico|México|Sweden|"
    r"Sverige|Norway|Norge|Denmark|Danmark|Poland|Polska|South Korea|Korea|China|Philippines|"
    r"South Africa|Vietnam|Việt Nam"
)
_STRONG = (
    rf"(?:{_STATES})\.?,?\s+\d{{5}}(?:-\d{{4}})?"
    r"|(?:AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT)\s+[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d"
    r"|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}"  # UK
    r"|(?:[AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}"  # Eircode
    r"|(?:NSW|VIC|QLD|SA|WA|TAS|ACT|NT)\s+\d{4}"
    r"|\d{5}-\d{3}"  # Brazil CEP
    r"|\d{3}-\d{4}"  # Japan
)
_WEAK = (
    rf"(?:\d{{4,5}}|\d{{2}}-\d{{3}}|\d{{3}} \d{{2}}|\d{{4}}-\d{{3}})\s+{_CAP}"  # DE FR IT … PL, SE CZ GR, PT
    rf"(?:\s+(?:am|an der|im|ob der|upon|on|sur|en|de|di|del)\s+{_CAP}|\s+{_CAP})?(?:\s+[A-Z]{{1,2}})?"
    r"|\d{3} ?\d{3}"  # India, Vietnam, Singapore
    r"|(?:(?<=[a-zà-ÿ] )|(?<=[a-zà-ÿ], ))\d{4}"  # after a city: Auckland 1010, Cape Town, 8001
    rf"|(?<=, )(?:{_COUNTRIES}|Hong Kong)"  # a country ends a block without a postcode
    r"|[A-Z]\d{2} ?[A-Z\d]{4}"  # an Eircode typed with letters the scheme never uses
)
_LOWER_STATES = _STATES.lower()
_TAIL = re.compile(
    rf"(?<![\w-])(?:(?P<strong>{_STRONG})|(?P<lower>(?:{_LOWER_STATES})\s+\d{{5}}(?:-\d{{4}})?)|(?P<weak>{_WEAK}))"
    rf"(?![\w-])(?:,?\s+(?:{_COUNTRIES})(?![\w-]))?"
)
_PART_SPLIT = re.compile(r"\s*(?:,|\n)\s*")
_TOKEN = re.compile(r"\S+")
_PARTICLES = frozenset(
    "de du des la le les y am an der den di dei degli delle del della da do dos das van von ter zu zum zur of the "
    "upon on sur en el al bis e i".split()
)
_ADDRESS_WORDS = frozenset(
    """
    apt apartment flat unit suite ste room rm lot floor fl box route po p.o. st st. rd rd. ave ave. dr dr. ln blvd ct
    way pl hwy pkwy cres tce sq terr drv dock bldg building block blk tower level attn attn: c/o no. nº
    rue allée avenue chemin via calle rua jalan jl. lorong heol ul. ulica apto piso bâtiment bat
    gate gata gaten gatan gade vej vei veien vegen weg laan straat utca tie katu
    """.split()
)
_LOWER_SUFFIX = re.compile(r"(?<!\S)(?:st|rd|ave|blvd|ln|dr|ct|way|pl|cir|pkwy|hwy|ter|terr|drv)\.?(?!\w)")
_REFERENCE = re.compile(
    r"(?i)\b(?:order|invoice|ticket|case|sku|item|tracking|ref|reference|receipt|rma|model|serial|version|v\d|"
    r"flight|seat|platform|terminal|page|chapter|size|qty|buy|get|sale|pack)\b"
)
_OPENER = re.compile(
    r"(?i:Flat|Apt|Apartment|Unit|Suite|Ste|Room|Rm|Lot|Bâtiment|Bat|Bldg|Building|Block|Blk|Tower|Level|Floor|"
    r"Maison|Villa|Casa|Rural Route|Star Route|R\.?R\.?|HC|P\.?O\.? Box|Box|General Delivery|Postfach|Postbus|"
    r"Apartado|Casilla|Caixa Postal|Boîte postale)\b"
    # a street type first: "Av. Paulista, 1578", "ul. Marszałkowska 10/12", "C/ Mayor 5"
    r"|(?i:Av\.|Avda\.|Avenida|Rua|Calle|C/|Via|Viale|Corso|Piazza|Rue|Jalan|Jl\.|ul\.|Ulica|Carrer|Paseo|"
    r"Travessa|Largo|Alameda|Estrada|Rodovia)\s+[A-ZÀ-ÞĀ-Ž]"
    r"|The [A-Z]"
    r"|#?\d[\w/.-]*\s+\S"  # a house number with something after it
    r"|(?:[A-ZÀ-ÞĀ-Ž][\w'’.-]*\s+)(?:(?:[A-ZÀ-ÞĀ-Ž][\w'’.-]*|de|dei|del|della|di|da|do|dos|das|du|des|la|le|an der"
    r"|gate|gata|gaten|gatan|gade|vej|vei|veien|vegen|weg|straße|strasse|laan|straat|utca|ulica|tie|katu)\s+){0,3}"
    r"\d{1,4}[a-zA-Z]?(?:-\d{1,3})?$"  # street, then number
    r"|(?i:(?:[a-z]+ ){0,3}[a-z]+ (?:Cottage|House|Farm|Lodge|Rectory|Manor|Hall|Barn|Mill|Court|Apartments))$"
)
_UNIT_CODE = re.compile(r"(?:(?:#|[A-Z]-?)\d{1,5}[A-Z]?|\d{1,5}[A-Z])$")
_STREET_WORD = re.compile(
    r"(?i)(?:\b(?:street|st|road|rd|avenue|ave|av|lane|ln|drive|dr|way|court|ct|place|pl|close|crescent|"
    r"terrace|parkway|pkwy|square|jalan|jl|lorong|calle|via|viale|rua|rue|allée|chemin|heol|stryd|strada|ulica|"
    r"ul\.|al\.|aleja|"
    r"marg|nagar|society|colony|sector|layout|cross|chowk|am|an der|im|auf der|zum|zur|plein|kade|"
    r"quận|phường|đường|tp\.|utca|flat|apt|unit|suite|room|floor|level|block|\d+/f|"
    r"po box|p\.o\. box|box|postfach|postbus|apartado|casilla|caixa postal)(?!\w)"
    # street words that end a compound: Hauptstraße, Vesterbrogade, Storgatan, Mannerheimintie, Queensway
    r"|(?:straße|strasse|str\.|weg|gasse|platz|allee|(?<!sp)(?<!st)ring|damm|gracht|laan|straat|vej|gade|gatan|"
    r"vägen|veien|katu|tie|way)\b)"
    r"|(?-i:\b(?:gate|gata|vej|vei)\b)"  # lowercase after the name in Norway, Sweden, Denmark: not "Gate 12"
)
_CITY_BEFORE = re.compile(r"(?<![\w-])[A-ZÀ-Þ][a-zà-ÿ]+(?: [A-ZÀ-Þ][a-zà-ÿ]+)?,? $")
_MAX_PARTS = 6
_MAX_WORDS = 10
_LOOKBACK = 200


@dataclass(frozen=True)
class _Part:
    start: int
    text: str


def _parts_before(text: str, end: int) -> list[_Part]:
    """The comma- or line-separated parts before `end`, nearest first (bounded lookback)."""
    begin = max(0, end - _LOOKBACK)
    pieces: list[_Part] = []
    cursor = begin
    for sep in _PART_SPLIT.finditer(text, begin, end):
        pieces.append(_Part(cursor, text[cursor : sep.start()]))
        cursor = sep.end()
    pieces.append(_Part(cursor, text[cursor:end]))
    return pieces[::-1]


def _word_ok(word: str, lowercase: bool) -> bool:
    if lowercase or word[0].isupper() or word[0].isdigit() or word[0] in "#(-–&":
        return True
    return word.lower() in _PARTICLES or word.lower() in _ADDRESS_WORDS


def _acceptable_from(part: _Part, lowercase: bool) -> int | None:
    """Offset in part.text where its run of address-like words begins (None: no such word)."""
    words = list(_TOKEN.finditer(part.text))
    keep = len(words)
    while keep > 0 and _word_ok(words[keep - 1].group(), lowercase):
        keep -= 1
    keep = max(keep, len(words) - _MAX_WORDS)  # a part longer than that is a sentence
    if keep == len(words):
        return None
    return words[keep].start() if keep < len(words) else None


def _opener_in(part: _Part, offset: int) -> int | None:
    """The leftmost word in part.text[offset:] where an address can open."""
    for m in _TOKEN.finditer(part.text, offset):
        if _OPENER.match(part.text, m.start()):
            return m.start()
    return None


def _walk_back(text: str, tail_start: int, lowercase: bool) -> int | None:
    """Where the block before a tail starts: the leftmost opener among address-like parts."""
    start: int | None = None
    for n, part in enumerate(_parts_before(text, tail_start)):
        if n > _MAX_PARTS:
            break
        if not part.text.strip():
            if n == 0:
                continue  # the tail follows a comma: "Chicago, IL 60606"
            break
        offset = _acceptable_from(part, lowercase)
        if offset is None or _REFERENCE.search(part.text, offset):
            break
        opener = _opener_in(part, offset)
        if opener is not None:
            start = part.start + opener
        elif n > 0 and _UNIT_CODE.match(part.text[offset:].strip()):
            start = part.start + offset  # "B-204, Shanti Niketan Society, …"
        if offset > 0:
            break  # the part began with words that are no address: the block cannot go further
    return start


def _evidence(block: str, kind: str) -> bool:
    if kind == "strong":
        return True
    if kind == "lower":
        return _LOWER_SUFFIX.search(block) is not None
    return _STREET_WORD.search(block) is not None


def address_block_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each whole address block in text (overlaps are resolved by the caller)."""
    for m in _TAIL.finditer(text):
        kind = m.lastgroup or "weak"
        if m.group().isdigit() and not _CITY_BEFORE.search(text, max(0, m.start() - 40), m.start()):
            continue  # four digits alone end a block only after a city: not "room 1204"
        start = _walk_back(text, m.start(), kind == "lower")
        if start is not None and _evidence(text[start : m.start()], kind):  # not "Norway" itself
            yield start, m.end()
