"""What model_quota costs a model call: p50 and p99 in µs, against a no-op in the same run.

    python bench/model_quota.py                       20 000 calls over 4 provider/model pairs
    python bench/model_quota.py --calls 50000 --tokens 3000

A call pays two things (agents/llm/gateway.py): the check before the attempt (ModelQuotas.admit:
the tokens window tested, a request taken from the requests window) and the charge after it
(ModelQuotas.charge: the call's tokens added to the tokens window), on `limits`' in-memory storage
(requests in a moving window, tokens in a sliding window counter). Each call's check + charge is
timed beside a no-op with the same arguments, interleaved, so the timer's own cost shows in the
baseline and not as the quota's. Two cases:

- admitted: every pair's quota is large enough that each call is let in and charged, the windows
  filling up as over a busy minute (the moving window keeps one entry per request, up to
  --calls / 4 of them per pair);
- refused: one pair at its requests quota, so every check is refused (no charge follows).

The goal (issue 14, for a rate-limit check) is at most 50 µs.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from microseconds import p, row

from switchboard.patterns.model_quota import ModelQuotas, Quota

PAIRS = [(vendor, model) for vendor in ("demo-a", "demo-b") for model in ("demo-small", "demo-large")]
Call = Callable[[str, str, int], None]


def noop(provider: str, model: str, tokens: int) -> None:
    return None


def timed(call: Call, provider: str, model: str, tokens: int) -> float:
    start = time.perf_counter_ns()
    call(provider, model, tokens)
    return (time.perf_counter_ns() - start) / 1000


def check_and_charge(quotas: ModelQuotas) -> Call:
    def call(provider: str, model: str, tokens: int) -> None:
        if quotas.admit(provider, model) is None:
            quotas.charge(provider, model, tokens)

    return call


def interleaved(call: Call, pairs: list[tuple[str, str]], calls: int, tokens: int) -> tuple[list[float], list[float]]:
    """The quota and the no-op in turn, over `pairs` round-robin."""
    baseline: list[float] = []
    measured: list[float] = []
    for number in range(calls):
        provider, model = pairs[number % len(pairs)]
        baseline.append(timed(noop, provider, model, tokens))
        measured.append(timed(call, provider, model, tokens))
    return baseline, measured


def main(calls: int, tokens: int) -> None:
    per_pair = calls // len(PAIRS) + 1
    roomy = ModelQuotas({pair: Quota(per_pair, per_pair * tokens) for pair in PAIRS})
    print(
        f"{calls} calls over {len(PAIRS)} pairs, {tokens} tokens each; quotas {per_pair} rpm, {per_pair * tokens} tpm"
    )
    baseline, admitted = interleaved(check_and_charge(roomy), PAIRS, calls, tokens)
    full = ModelQuotas({PAIRS[0]: Quota(requests_per_minute=1)})
    assert full.admit(*PAIRS[0]) is None
    _, refused = interleaved(check_and_charge(full), PAIRS[:1], calls, tokens)
    print(row("no-op (baseline)", baseline))
    print(row("check+charge, admitted", admitted))
    print(row("check, refused", refused))
    over = p(admitted, 50) - p(baseline, 50)
    print(f"admitted call's p50 over the no-op: {over:.1f} µs (goal ≤ 50 µs)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--tokens", type=int, default=1_000, help="tokens charged per call (a demo call: ~1 000)")
    args = parser.parse_args()
    main(args.calls, args.tokens)
