"""A stand-in for `llama_cpp.Llama` that streams chunks in llama-cpp-python's shape."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any


class FakeLlama:
    """Streams `words` one chunk each; remembers what it was asked and how far it got."""

    def __init__(self, words: list[str], tool_call: dict[str, Any] | None = None, fail: Exception | None = None):
        self.words = words
        self.tool_call = tool_call
        self.fail = fail
        self.calls: list[dict[str, Any]] = []
        self.yielded = 0
        self.gate = threading.Event()  # cleared: the stream pauses after its first word
        self.gate.set()
        self._busy = threading.Lock()

    def create_chat_completion(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.calls.append(kwargs)
        return self._chunks()

    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        return list(range(len(text.split())))

    def _chunks(self) -> Iterator[dict[str, Any]]:
        if not self._busy.acquire(blocking=False):
            raise AssertionError("two generations ran at once on one llama.cpp context")
        try:
            yield _chunk({"role": "assistant"})
            for word in self.words:
                if self.fail is not None:
                    raise self.fail
                self.yielded += 1
                yield _chunk({"content": word})
                self.gate.wait(timeout=5)
            if self.tool_call is not None:
                yield _chunk({"tool_calls": [self.tool_call]})
            yield {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        finally:
            self._busy.release()


def _chunk(delta: dict[str, Any]) -> dict[str, Any]:
    return {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
