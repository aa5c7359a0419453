"""A scanner that remembers its verdicts.

Scanning is linear in the text: a 1,500-character help-centre search result takes about 6 ms
(`bench/injection.py` measures short messages at 0.66 ms). The same passages come back turn
after turn, so verdicts are kept for the last `size` texts seen (least recently used out).
A verdict depends only on the text, so a remembered one is exactly what a fresh scan would say.
The table is locked (parallel mode scans on a worker thread); the scan itself is not.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Protocol

from switchboard.patterns.injection.scanner import Verdict


class TextScanner(Protocol):
    def scan(self, text: str) -> Verdict: ...


class CachedScanner:
    def __init__(self, scanner: TextScanner, size: int = 2048) -> None:
        self._scanner = scanner
        self._size = size
        self._verdicts: OrderedDict[str, Verdict] = OrderedDict()
        self._lock = threading.Lock()

    def scan(self, text: str) -> Verdict:
        with self._lock:
            verdict = self._verdicts.get(text)
        if verdict is None:
            verdict = self._scanner.scan(text)
        with self._lock:
            self._verdicts[text] = verdict
            self._verdicts.move_to_end(text)
            if len(self._verdicts) > self._size:
                self._verdicts.popitem(last=False)
        return verdict
