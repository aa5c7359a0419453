"""Prompt-injection defence in three layers: scan what comes in, mark what is data, watch what goes out.

No single check stops prompt injection; each layer here is cheap and catches what the others miss.

    normalise.py    the text the scanner reads: case, accents, invisible characters, leetspeak undone
    rules.py        the hand-written rules, read from rules.toml (the data) beside it
    payloads.py     text hidden in base64 blobs and Unicode tag characters, decoded for the scan
    classifier.py   the learned layer: logistic regression over hashed n-grams (classifier.npz)
    scanner.py      `Scanner` and its `Verdict`: every piece of evidence, a noisy OR, allow/flag/block;
                    the bank of known attacks it compares with is known_attacks.txt
    spotlight.py    `spotlight`: untrusted text wrapped in markers that say it is data
    canary.py       `Canary`: a secret in the system prompt whose appearance in an answer is a leak

Import each name from the module that owns it; the names below are re-exported so that code
written against the single module this package replaced keeps working.
"""

from switchboard.patterns.injection.canary import Canary
from switchboard.patterns.injection.normalise import normalise
from switchboard.patterns.injection.payloads import decoded_payloads
from switchboard.patterns.injection.scanner import Scanner, Verdict, default_bank_path, load_bank
from switchboard.patterns.injection.spotlight import SPOTLIGHT_RULE, spotlight

__all__ = [
    "SPOTLIGHT_RULE",
    "Canary",
    "Scanner",
    "Verdict",
    "decoded_payloads",
    "default_bank_path",
    "load_bank",
    "normalise",
    "spotlight",
]
