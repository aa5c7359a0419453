"""Postal addresses in the orders other countries write them (addresses.py holds the
English-language house-number-first forms).

    continental   street name, then number, then postcode and city: "Hauptstraße 12, 10115
                  Berlin", "Calle Mayor 15, 3º B, 28013 Madrid", "Prinsengracht 263, 1016 GV
                  Amsterdam", "Rua Augusta 1508, apto 92, São Paulo - SP, 01304-001". The street
                  must end in a street word (-straße, -str., -weg, -gracht …) or start with one
                  (Calle, Via, Rua …), and a four- or five-digit postcode with a capitalised
                  city must follow, at most one short part (a floor, a flat) in between
    India         a flat, house or floor ("Flat 302", "H.No. 45", "3rd floor") and up to five
                  comma-separated parts, ending in a city (and state) with a six-digit PIN
    Japan         〒 and a postcode before the address in Japanese, or a chōme-banchi number
                  ("2-11-3 Meguro, Meguro-ku, Tokyo 153-0063"), maybe after a room number
    UK, named     a named house ("Rose Cottage") and up to four parts ending in a postcode
    US rural      RR / HC / PSC … Box, or General Delivery, then city, state and ZIP
    China, Japan  in Han script without 〒: a province or city (省 市 都 府 県), a district or
                  town (区 县 町 村), then the street and a number ("北京市朝阳区建国路88号",
                  "東京都渋谷区渋谷2-21-1")
    Korea         a city or province (특별시 광역시 도 시), a district (구 군 시), a road (로 길)
                  and its number ("서울특별시 강남구 테헤란로 123")

Parts are runs without commas, so the comma-separated repetitions cannot overlap and the scan
stays linear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_CAP = r"[A-ZÀ-ÖØ-Þ][\w'’.-]{1,30}"
_STREET_END = (
    r"(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer|schanze|gracht|laan|straat|plein|kade|steeg)"
)
_STREET_START = r"(?:Calle|Avenida|Av\.|Paseo|Plaza|Carrer|Via|Viale|Corso|Piazza|Rua|Travessa|Largo|Rue)"
_PART = r"[^,\n]{1,15}"
_PARTICLE = r"(?: (?:de|del|da|das|do|dos|des|di|della|la|le))?"
_NAMED_STREET = rf"(?:{_STREET_START}{_PARTICLE}(?: {_CAP}){{1,3}}|[A-ZÄÖÜ][\wäöüß]{{1,30}}{_STREET_END})"
_POST_CITY = rf"\d{{4,5}}(?: ?[A-Z]{{2}})? {_CAP}(?: [A-Z]{{2}}\b)?"  # 10115 Berlin, 1016 GV Amsterdam
_CITY_CEP = rf"{_CAP}(?: {_CAP})?(?: - [A-Z]{{2}})?,\s*\d{{5}}-\d{{3}}"  # São Paulo - SP, 01304-001
_CONTINENTAL = re.compile(
    rf"(?<![\w-]){_NAMED_STREET} \d{{1,4}}[a-zA-Z]?(?:,\s*{_PART})?(?:,\s*{_POST_CITY}|,\s*{_CITY_CEP})"
)
_INDIA = re.compile(
    r"(?<![\w-])(?:Flat|H\.\s?No\.|House No\.?|Plot(?: No\.?)?|Door No\.?|\d{1,2}(?:st|nd|rd|th) [Ff]loor)"
    r"[ ,]{1,2}[^,\n]{0,30}(?:,\s*[^,\n]{2,30}){0,5},\s*[A-Z][a-z]+(?:,\s*[A-Z][a-z]+)? \d{3} ?\d{3}(?!\d)"
)
_JAPAN = re.compile(
    r"〒\d{3}-\d{4}\s*[\u4e00-\u9fff\u30a0-\u30ff0-9０-９-]{2,30}"  # kanji, katakana, digits: not です
    r"|(?<![\w-])(?:Room \d{1,4},\s*)?\d{1,4}-\d{1,4}(?:-\d{1,4})? [A-Z][\w-]+,\s*[A-Z][\w]+-(?:ku|shi|cho|machi|gun),"
    r"\s*[A-Z][a-z]+ \d{3}-\d{4}(?!\d)"
)
_UK_POST = r"[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}"
_NAMED_HOUSE = re.compile(
    rf"(?<![\w-])(?:[A-Z][a-z]+ ){{1,2}}(?:Cottage|House|Farm|Lodge|Barn|Manor|Hall|Villa|Mill)"
    rf"(?:,\s*[A-Z][^,\n]{{1,30}}){{1,4}}[ ,]\s*{_UK_POST}(?!\w)"
)
_US_RURAL = re.compile(
    r"(?<![\w-])(?:(?:RR|HC|PSC|CMR|Unit) \d{1,4},? Box \d{1,6}|General Delivery),\s*"
    r"(?:[A-Z][a-z]+(?: [A-Z][a-z]+)?,?\s+[A-Z]{2}|FPO|APO|DPO)(?:\s+(?:AE|AP|AA))?\s+\d{5}(?!\d)"
)
_HAN_ADDRESS = re.compile(
    r"[\u4e00-\u9fff]{1,6}?(?:省|市|都|道|府|県|县|縣)[\u4e00-\u9fff]{1,6}?(?:区|區|县|縣|市|町|村|郡)"
    r"[\u4e00-\u9fff\u30a0-\u30ff]{0,12}?[0-9０-９]{1,5}(?:[-－ー丁目番地号號の][0-9０-９]{0,5}){0,4}(?:号|號|番地|室)?"
)
_KOREAN_ADDRESS = re.compile(
    r"[가-힣]{1,8}(?:특별시|광역시|특별자치시|도|시)\s?[가-힣]{1,6}(?:구|군|시)\s?(?:[가-힣]{1,6}(?:구|동|읍|면)\s?)?"
    r"[가-힣0-9]{1,12}(?:로|길)\s?\d{1,5}(?:-\d{1,5})?(?:번길\s?\d{1,5})?"
)
# Han text has no spaces: the verbs before an address ("请寄到", "送到", "地址是") run into it.
_HAN_LEAD = re.compile(r"(?:请|麻烦)?(?:寄|送|发|邮)?(?:到|往|至)?(?:收货)?(?:地址[是为：:]?)?(?:住在|在)?")
_PATTERNS = (_CONTINENTAL, _INDIA, _JAPAN, _NAMED_HOUSE, _US_RURAL, _KOREAN_ADDRESS)


def world_address_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each address in one of the orders above (overlaps resolved by the caller)."""
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            yield m.span()
    for m in _HAN_ADDRESS.finditer(text):
        lead = _HAN_LEAD.match(text, m.start())
        yield (lead.end() if lead is not None else m.start()), m.end()
