"""Writes switchboard/patterns/pii/common_words.txt: the 20,000 most frequent English words.

The name detector treats two capitalised words in a row as a name only when neither is a common
word ("Darnell Whitaker", not "Joshua Tree" or "Stormline Rain Jacket"). The list is built once
from wordfreq's English frequencies and shipped, so wordfreq is not a dependency:

    pip install wordfreq && python scripts/build_common_words.py

Deterministic for a given wordfreq version (3.1.1 built the shipped file): only lowercase
alphabetic words of two or more letters are kept, in frequency order.
"""

from __future__ import annotations

from pathlib import Path

from wordfreq import top_n_list  # type: ignore[import-not-found]

TOP = 20_000
OUT = Path(__file__).resolve().parents[1] / "switchboard" / "patterns" / "pii" / "common_words.txt"


def main() -> None:
    words = [w for w in top_n_list("en", TOP) if w.isalpha() and w.islower() and len(w) > 1]
    header = f"# The {TOP:,} most frequent English words (wordfreq), less punctuation: scripts/build_common_words.py\n"
    OUT.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {OUT}")


if __name__ == "__main__":
    main()
