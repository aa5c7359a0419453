"""Check digits: the arithmetic that tells an identifier from any other run of digits.

    luhn_ok      mod-10 (payment cards, Canadian SIN, Swedish personnummer, IMEI)
    verhoeff_ok  Verhoeff's dihedral-group check (Indian Aadhaar); catches every single-digit
                 error and every swap of neighbours, which Luhn does not
    mod11_ok     weighted sum divisible by 11 (Dutch BSN "elfproef", Australian TFN)
    dni_ok       Spanish DNI/NIE: the number mod 23 picks the letter (NIE: X/Y/Z count as 0/1/2)
    cpf_ok       Brazilian CPF: two mod-11 check digits over descending weights

Each takes the identifier with separators already removed.
"""

from __future__ import annotations

from collections.abc import Sequence


def luhn_ok(digits: str) -> bool:
    """The Luhn mod-10 check every payment card number carries in its last digit."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


# Verhoeff's tables: multiplication in the dihedral group D5 and the position permutation.
_D = (
    "0123456789", "1234067895", "2340178956", "3401289567", "4012395678",
    "5987604321", "6598710432", "7659821043", "8765932104", "9876543210",
)  # fmt: skip
_P = ("0123456789", "1576283094", "5803796142", "8916043527", "9453126870", "4286573190", "2793806415", "7046915283")


def verhoeff_ok(digits: str) -> bool:
    """Verhoeff check over the whole number (check digit last)."""
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = int(_D[c][int(_P[i % 8][int(ch)])])
    return c == 0


def mod11_ok(digits: str, weights: Sequence[int]) -> bool:
    """Sum of digit × weight divisible by 11 (a negative weight subtracts, as BSN's last does)."""
    return len(digits) == len(weights) and sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_ok(compact: str) -> bool:
    """DNI "12345678Z" or NIE "X1234567L": the letter is the number mod 23 in a fixed table."""
    compact = compact.upper()
    number = compact[:-1]
    if number[:1] in ("X", "Y", "Z"):
        number = str("XYZ".index(number[0])) + number[1:]
    return number.isdigit() and _DNI_LETTERS[int(number) % 23] == compact[-1]


def cpf_ok(digits: str) -> bool:
    """Brazilian CPF: 9 digits, then two check digits, each (sum × 10 mod 11) mod 10."""
    if len(digits) != 11 or len(set(digits)) == 1:  # 111.111.111-11 passes the arithmetic
        return False
    numbers = [int(d) for d in digits]
    return all(sum(numbers[i] * (n + 1 - i) for i in range(n)) * 10 % 11 % 10 == numbers[n] for n in (9, 10))


_NRIC_LETTERS = {"S": "JZIHGFEDCBA", "T": "JZIHGFEDCBA", "F": "XWUTRQPNMLK", "G": "XWUTRQPNMLK"}


def nric_ok(compact: str) -> bool:
    """Singapore NRIC/FIN "S1234567D": digits × (2 7 6 5 4 3 2), +4 for T/G, mod 11 picks the letter."""
    compact = compact.upper()
    table = _NRIC_LETTERS.get(compact[:1])
    if table is None or len(compact) != 9 or not compact[1:8].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(compact[1:8], (2, 7, 6, 5, 4, 3, 2), strict=True))
    return table[(total + 4 * (compact[0] in "TG")) % 11] == compact[8]


def china_ric_ok(compact: str) -> bool:
    """Chinese resident ID: 17 digits × 2^(17-i) mod 11, ISO 7064 MOD 11-2, gives the 18th (X = 10)."""
    if len(compact) != 18 or not compact[:17].isdigit():
        return False
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(compact[:17]))
    return "10X98765432"[total % 11] == compact[17].upper()
