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
    in English text   a name in any of those scripts after "ship to", "for", "under", "name:",
                      "recipient:", "deliver to", "c/o" …, or before "के नाम" ("in the name of"),
                      様 / さん / 님 / 씨 (honorifics), and after the native words for addressee
                      or recipient (宛名は, 받는 사람, 수령인, المستلم, प्राप्तकर्ता)
    Vietnamese        two to four capitalised words, the first one of the family names most
                      Vietnamese people bear, at least one word with Vietnamese letters (ă ơ ư đ,
                      tone marks): "Trần Văn Minh", "Nguyễn Thị Lan"

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

# A name in another script, one to four "words" of it (a Han run is two to four characters).
_SCRIPT_NAME = (
    rf"(?:{_HAN}{{1,3}}[ \u3000]{_HAN}{{1,3}}|{_HAN}{{2,4}}|{_HANGUL}{{2,4}}(?: {_HANGUL}{{1,3}})?"
    rf"|{_ARABIC}(?: {_ARABIC}){{0,2}}|{_DEVANAGARI}(?: {_DEVANAGARI}){{0,2}})"
)
_NOT_SCRIPT = r"(?![\u4e00-\u9fff\uac00-\ud7a3\u0621-\u064a\u0671-\u06d3\u0900-\u097f])"
_ENGLISH_CUE = (
    r"(?i:ship(?:ped)?(?: it)? to|send(?: it)? to|deliver(?:ed)?(?: it)? to|post(?: it)? to|mail(?: it)? to|"
    r"addressed to|for|under|under the name|recipient|addressee|receiver|name|name is|c/o|attn|from|signed by)"
)
# "addressee is", "recipient": 宛名は, 받는 사람, 수령인, المستلم, باسم ("in the name of"), प्राप्तकर्ता.
_NATIVE_CUE = (
    r"宛名は|宛名[:：]|宛先は|受取人は|받는 사람[:：]?|받는분[:：]?|수령인[:：]?|수취인[:：]?|المستلم[:：]?|باسم|"
    r"प्राप्तकर्ता[:：]?"
)
_VI_FAMILY = (
    r"(?:Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Đinh|Trương|Đoàn|Lâm|Mai|Trịnh|"
    r"Nguyen|Tran|Pham|Hoang|Huynh|Dang|Bui|Duong|Dinh|Truong|Doan|Trinh)"
)
_VI_WORD = r"[A-ZÀ-ỸĐ][a-zà-ỹđ]{0,7}"
_VI_LETTER = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")

_PATTERNS = (
    re.compile(rf"(?<![\w]){_ENGLISH_CUE}[:：]?\s+({_SCRIPT_NAME}){_NOT_SCRIPT}"),
    re.compile(rf"(?:{_NATIVE_CUE})\s*({_SCRIPT_NAME}){_NOT_SCRIPT}"),
    re.compile(rf"(?<![\u4e00-\u9fff\uac00-\ud7a3])({_HAN}{{2,4}}|{_HANGUL}{{2,4}})(?:様|さま|さん|先生|님|씨)"),
    re.compile(rf"(?<![\u0900-\u097f])({_DEVANAGARI}(?: {_DEVANAGARI}){{0,2}}) के नाम"),
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


# A street or a city named after a person is a place: "45 Nguyễn Huệ", "TP. Hồ Chí Minh".
_VIETNAMESE = re.compile(rf"(?<![\w-])(?<!\d )(?<!TP\. ){_VI_FAMILY}(?: {_VI_WORD}){{1,3}}(?![\w-])")
# Places written in the scripts above that a cue word may come before ("ship to 東京", "for 한국").
_PLACES = frozenset(
    "日本 中国 中國 韩国 韓國 台湾 台灣 香港 澳门 东京 東京 北京 上海 大阪 京都 横浜 名古屋 福岡 札幌 深圳 广州 廣州 "
    "新加坡 한국 서울 부산 대한민국 مصر دبي الرياض السعودية भारत दिल्ली मुंबई".split()
)


def _vietnamese(text: str) -> Iterator[tuple[int, int]]:
    for m in _VIETNAMESE.finditer(text):
        city = m.group().endswith(" City") or text.startswith(" City", m.end())  # "Hồ Chí Minh City"
        if _VI_LETTER.search(m.group()) and not city:
            yield m.span()


def script_name_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-Latin-script name in text (overlaps are resolved by the caller)."""
    if _NON_LATIN.search(text) is None:
        return
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if m.group(1) not in _PLACES:
                yield m.span(1)
    yield from _vietnamese(text)
