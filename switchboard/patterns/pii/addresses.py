"""Postal addresses: a house number and a street, a PO box, or a postcode, by shape alone.

An address has no checksum, so it is found by the shape of its parts and favours precision over
recall: a house number (after a flat or unit, or as "2/14"), up to four capitalised words and a
street suffix ("27 Larch Close"), or a French-order road ("455 rue Saint-Denis"), Broadway, a
Utah-style grid ("1140 E 900 S"), a lowercase "12 main st" typed on a phone; a PO box; then
maybe a unit, and a tail of city and state with ZIP, a Canadian, UK, Australian or Irish
postcode, or a country. A US city-state-ZIP tail, a UK postcode or a Canadian postal code also
counts alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_SUFFIX = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Av|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Court|Ct|Place|Pl|Close|"
    r"Crescent|Cres|Terrace|Tce|Parkway|Pkwy|Highway|Hwy|Square|Sq|Circle|Cir|Mews|Gardens|Grove|Row|"
    r"Loop|Alley|Plaza|Quay|Wharf|Rise|Vale|Terr|Parade|Esplanade|Promenade)"
)
# French order puts the number first and the road type next: 455 rue Saint-Denis.
_ROAD_PREFIX = r"(?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Cc]hemin|[Aa]llée|[Pp]lace|[Ii]mpasse|[Qq]uai)"
_PARTICLE = r"(?:de|du|des|la|le)"
_DIR = r"(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)\.?"
_WORD = r"(?:[A-Z][\w'’.-]*|\d{1,3}(?:st|nd|rd|th))"
# House number, maybe after a flat ("Flat 4, 27 …") or as unit/number ("2/14 Smith Street").
# "Unit 5/18 Marine Parade": the unit word may also stand before a unit/number pair.
_HOUSE = (
    r"(?:(?:Flat|Apt|Apartment|Unit|Suite)\.?\s+\w{1,5},?\s+|(?:Unit|Flat|Apt)\.?\s+(?=\d{1,4}/))?"
    r"(?:\d{1,4}/)?\d{1,5}[A-Za-z]?(?:-\d{1,5})?"
)
_STREET = (
    rf"{_HOUSE}\s+(?:"
    rf"(?:{_DIR}\s+)?(?:(?:{_WORD}\s+){{1,4}}?{_SUFFIX}|\d{{1,3}}\s+(?:Ave|Avenue|St|Street))\b\.?(?:\s+{_DIR}(?![\w.]))?"
    rf"|{_ROAD_PREFIX}\s+(?:{_PARTICLE}\s+){{0,2}}{_WORD}(?:\s+{_WORD}){{0,2}}"
    rf"|(?:{_DIR}\s+)?Broadway\b"
    rf"|[NSEW]\s+\d{{1,4}}\s+[NSEW]\b"  # Utah-style grid: 1140 E 900 S
    rf"|[a-z]{{3,}}\s+(?:st|rd|ave|blvd|ln|dr)\b\.?"  # typed in lowercase on a phone
    rf")"
)
_PO_BOX = r"P\.?\s?O\.?\s+Box\s+\d{1,6}"
# "Fl 9" is a floor; the boundary keeps "Flagstaff" from reading as one.
_UNIT = r"(?:,?\s+(?:(?:Apt|Apartment|Unit|Suite|Ste|Flat|Fl|Floor)\b\.?|#)\s*[\w-]{1,6})"
_STATES = (
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|"
    r"NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY)"
)
# Canadian postal code: D F I O Q U never appear, and W Z never lead.
_CA_CODE = r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d"
_CA_POST = rf"(?:AB|BC|MB|NB|NL|NS|NT|NU|ON|PE|QC|SK|YT)\s+{_CA_CODE}"
# UK postcode: the inward part's letters never include C I K M O V.
_UK_POST = r"(?:[A-Z]{1,2}\d[A-Z\d]?) ?\d[ABD-HJLNP-UW-Z]{2}"
_AU_POST = r"(?:NSW|VIC|QLD|SA|WA|TAS|ACT|NT)\s+\d{4}"
# Eircode: routing key (letter + 2 digits, or D6W) and a 4-character unique identifier.
_EIRCODE = r"(?:[AC-FHKNPRTV-Y]\d{2}|D6W) ?[0-9AC-FHKNPRTV-Y]{4}"
_CITY = r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2}"
_COUNTRY = r"(?:US|USA|UK|Canada|Ireland|CA)\b"
_TAIL = (
    rf"(?:,\s*{_CITY}(?:,\s*|\s+)(?:{_STATES}\s+\d{{5}}(?:-\d{{4}})?|{_CA_POST}|{_UK_POST}|{_AU_POST})\b"
    rf"|,\s*{_CITY}(?:\s+\d{{1,2}})?,?\s+{_EIRCODE}\b"
    rf"|,?\s+{_UK_POST}\b"
    rf"|,\s*{_CITY},\s*{_COUNTRY}"
    rf"|,\s*\d{{5}}\s+{_CITY})"  # continental order: 75002 Paris
)
_ADDRESS = re.compile(
    rf"(?<![\w/.:-])(?:(?:{_STREET}|{_PO_BOX}){_UNIT}?{_TAIL}?(?:,\s*{_COUNTRY})?"
    rf"|{_CITY},\s*{_STATES}\s+\d{{5}}(?:-\d{{4}})?(?!\w)"
    rf"|{_UK_POST}(?!\w)"
    rf"|{_CA_CODE}(?!\w))"
)


_ABBREVIATED = re.compile(r"\b(?:St|Rd|Ave|Dr|Blvd|Ln)\.$")


def address_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each postal address in text, in order."""
    for m in _ADDRESS.finditer(text):
        end = m.end()
        # A trailing full stop belongs to the sentence, unless it closes an abbreviation ("St.").
        if m.group().endswith(".") and not _ABBREVIATED.search(m.group()):
            end -= 1
        yield m.start(), end
