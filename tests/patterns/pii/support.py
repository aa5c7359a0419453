"""What the PII tests read off `find_pii`: (kind, text) pairs, or the set of kinds found."""

from switchboard.patterns.pii.detection import find_pii


def found(text: str) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in find_pii(text)]


def kinds(text: str) -> set[str]:
    return {s.kind for s in find_pii(text)}
