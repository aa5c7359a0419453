"""Personal names in scripts other than Latin, found by the phrase that introduces them.

names.py reads Latin-script text word by word; a name in Cyrillic, Greek, Chinese, Japanese,
Korean, Arabic or Devanagari is found here instead:

    Cyrillic, Greek   after "меня зовут" / "мене звати" / "ονομάζομαι" — or any two or three
                      capitalised words in a row: Russian, Ukrainian and Greek capitalise
                      names, not nouns, so "Олена Шевченко" is a name wherever it stands
    Chinese           after 我叫, 我是, 我的名字是, 姓名, 收件人, or the English "name (on order)":
                      two to four Han characters
    Japanese          私は … です, 名前は … です, 受取人 …: Han characters, maybe split by a space
    Korean            제 이름은 … 입니다/이에요, or a Hangul word opening the message before "here"
    Arabic            after اسمي / أنا: one or two words
    Devanagari        मेरा नाम … है: one or two words

Each pattern is bounded (a name is at most four words or characters-runs), so scanning is linear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_CYR = r"[А-ЯЁЇІЄҐ][а-яёїієґ'’-]+"
_GREEK = r"[Α-ΩΆΈΉΊΌΎΏ][α-ωάέήίόύώϊϋΐΰς]+"
_HAN = r"[\u4e00-\u9fff]"
_HANGUL = r"[\uac00-\ud7a3]"
_ARABIC = r"[\u0621-\u064a\u0671-\u06d3]+"
_DEVANAGARI = r"[\u0900-\u0963\u0966-\u097f]+"

_PATTERNS = (
    re.compile(rf"(?<![\w-])({_CYR}(?: {_CYR}){{1,2}}|{_GREEK}(?: {_GREEK}){{1,2}})(?![\w-])"),
    re.compile(rf"(?i:меня зовут|мене звати|ονομάζομαι|με λένε) ({_CYR}|{_GREEK})(?![\w-])"),
    re.compile(
        rf"(?:我叫|我是|我的名字是|姓名[:：]?|收件人[:：]?|(?i:name on (?:the )?order|name)[:：]? )"
        rf"\s*({_HAN}{{2,4}})(?!{_HAN})"
    ),
    re.compile(rf"(?:私は|名前は|わたしは)({_HAN}{{2,5}})(?=です|と申します)"),
    re.compile(rf"受取人[:：]?\s*({_HAN}{{1,3}}(?:[ \u3000]{_HAN}{{1,3}})?)(?!{_HAN})"),
    re.compile(rf"제 이름은\s*({_HANGUL}{{2,4}}?)(?:입니다|이에요|예요|이고|[ ,.!]|$)"),
    re.compile(rf"^\s*({_HANGUL}{{2,4}}) here\b"),
    re.compile(rf"(?:اسمي|أنا|انا) ({_ARABIC}(?: {_ARABIC})?)"),
    re.compile(rf"मेरा नाम ({_DEVANAGARI}(?: {_DEVANAGARI})?) है"),
)
_NON_LATIN = re.compile(r"[^\x00-\u024f]")


def script_name_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-Latin-script name in text (overlaps are resolved by the caller)."""
    if _NON_LATIN.search(text) is None:
        return
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            yield m.span(1)
