import math
import random

import pytest

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


@pytest.mark.parametrize("retry_after", [1e308, math.inf, 30.0])
def test_a_retry_after_is_honoured_only_up_to_the_longest_wait(retry_after: float) -> None:
    backoff = Backoff(base=0.2, cap=1.0, max_wait=10.0, rng=_Max())
    assert backoff.wait(1, retry_after=retry_after) == 10.0
    assert backoff.wait(1, retry_after=9.5) == 9.5


@pytest.mark.parametrize("retry_after", [math.nan, -5.0, 0.0])
def test_a_meaningless_retry_after_leaves_the_backoff_alone(retry_after: float) -> None:
    backoff = Backoff(base=0.2, cap=1.0, rng=_Max())
    assert backoff.wait(2, retry_after=retry_after) == 0.4


def test_absorbed_counts_deposit_and_withdraw_as_if_made_here() -> None:
    budget = RetryBudget(ratio=0.5, max_tokens=10, min_tokens=0)
    budget.absorb(requests=4, retries=0)
    assert budget.tokens == 2 and budget.requests == 0  # requests counts this copy's own only
    budget.absorb(requests=0, retries=3)
    assert budget.tokens == -1  # spent elsewhere before this copy heard: a debt
    budget.on_request()
    budget.on_request()
    assert not budget.try_spend()  # the debt is repaid first
    budget.on_request()
    budget.on_request()
    assert budget.try_spend() and budget.requests == 4 and budget.spent == 1
