import random

from switchboard.patterns.retry_budget import Backoff, RetryBudget


def test_backoff_grows_exponentially_under_a_cap_and_honours_retry_after() -> None:
    ceilings = Backoff(base=0.2, cap=1.0, rng=_Max())
    assert [ceilings.wait(n) for n in (1, 2, 3, 4, 5)] == [0.2, 0.4, 0.8, 1.0, 1.0]
    assert ceilings.wait(1, retry_after=2.0) == 2.0


def test_full_jitter_spreads_waits_between_zero_and_the_ceiling() -> None:
    backoff = Backoff(base=1.0, cap=8.0, rng=random.Random(7))
    waits = [backoff.wait(3) for _ in range(200)]
    assert 0 <= min(waits) < 0.5 and 3.5 < max(waits) <= 4.0


def test_the_budget_caps_retries_at_a_share_of_requests() -> None:
    budget = RetryBudget(ratio=0.2, max_tokens=10, min_tokens=0)
    for _ in range(100):
        budget.on_request()
    granted = sum(budget.try_spend() for _ in range(100))
    assert granted == 10  # capped by max_tokens, not 100 retries for 100 failures
    assert budget.refused == 90


def test_a_quiet_service_can_still_retry_its_first_failures() -> None:
    budget = RetryBudget(min_tokens=3)
    assert [budget.try_spend() for _ in range(4)] == [True, True, True, False]


class _Max(random.Random):
    def uniform(self, a: float, b: float) -> float:
        return b
