import pytest

from switchboard.patterns.circuit_breaker import CircuitBreaker, Permit
from tests.fakes import Clock


def breaker(clock: Clock, history: int = 100) -> CircuitBreaker:
    return CircuitBreaker(
        window=10, min_calls=4, failure_rate=0.5, reset_after=30, probes=2, clock=clock, history=history
    )


def admitted(cb: CircuitBreaker) -> Permit:
    permit = cb.admit()
    assert permit is not None, f"refused while {cb.state}"
    return permit


def record(cb: CircuitBreaker, *outcomes: bool) -> None:
    for success in outcomes:
        permit = admitted(cb)
        permit.succeeded() if success else permit.failed()


def half_open(clock: Clock) -> CircuitBreaker:
    cb = breaker(clock)
    record(cb, False, False, False, False)
    clock.now += 30
    return cb


def test_opens_at_the_failure_rate_and_refuses_calls() -> None:
    clock = Clock()
    cb = breaker(clock)
    record(cb, True, False, True)
    assert cb.state == "closed"  # 1 failure in 3: too few calls to judge
    record(cb, False)
    assert cb.state == "open" and cb.admit() is None


def test_half_open_after_the_reset_time_lets_only_the_probes_through() -> None:
    clock = Clock()
    cb = breaker(clock)
    record(cb, False, False, False, False)
    clock.now += 29.9
    assert cb.state == "open"
    clock.now += 0.1
    assert cb.state == "half_open"
    probes = [cb.admit() for _ in range(3)]
    assert [p is not None and p.probe for p in probes] == [True, True, False]
    for probe in probes[:2]:
        assert probe is not None
        probe.succeeded()
    assert cb.state == "closed" and cb.admit() is not None
    assert [(t.old, t.new) for t in cb.transitions] == [
        ("closed", "open"),
        ("open", "half_open"),
        ("half_open", "closed"),
    ]


def test_a_failed_probe_opens_it_again() -> None:
    clock = Clock()
    cb = half_open(clock)
    admitted(cb).failed()
    assert cb.state == "open" and cb.admit() is None


def test_reading_the_state_changes_nothing() -> None:
    clock = Clock()
    cb = half_open(clock)
    assert cb.state == "half_open" and cb.state == "half_open"
    assert [(t.old, t.new) for t in cb.transitions] == [("closed", "open")]  # the move waits for a caller
    admitted(cb)
    assert [(t.old, t.new) for t in cb.transitions][-1] == ("open", "half_open")


@pytest.mark.parametrize("twice", [False, True])
def test_a_probe_that_ends_without_a_verdict_gives_its_slot_back(twice: bool) -> None:
    """A cancelled, abandoned or non-retryable probe says nothing about the provider: the next
    caller probes instead of the breaker waiting forever on a report that never comes."""
    clock = Clock()
    cb = half_open(clock)
    first, second = admitted(cb), admitted(cb)
    assert cb.admit() is None  # both slots out
    first.release()
    if twice:
        first.release()  # a second settlement (a `finally`) frees nothing more
    third = admitted(cb)
    assert third.probe and cb.admit() is None
    third.succeeded()
    assert cb.state == "half_open"  # the released probe passed nothing: `second` must still pass
    second.succeeded()
    assert cb.state == "closed"


def test_a_release_after_a_verdict_changes_nothing() -> None:
    clock = Clock()
    cb = half_open(clock)
    probe = admitted(cb)
    probe.succeeded()
    probe.release()
    probe.failed()
    last = admitted(cb)
    assert cb.admit() is None  # one passed, one out: both slots accounted for
    last.succeeded()
    assert cb.state == "closed"


def test_a_released_call_in_the_closed_state_counts_for_nothing() -> None:
    clock = Clock()
    cb = breaker(clock)
    record(cb, False, False, False)
    for _ in range(5):
        admitted(cb).release()
    assert cb.state == "closed"  # three failures, still fewer than min_calls outcomes
    record(cb, False)
    assert cb.state == "open"


def test_a_verdict_from_before_the_last_change_of_state_is_ignored() -> None:
    clock = Clock()
    cb = breaker(clock)
    slow = admitted(cb)  # admitted while closed, still running when the breaker opens
    record(cb, False, False, False, False)
    clock.now += 30
    probe = admitted(cb)
    slow.succeeded()  # not a probe: it says nothing about the provider now
    assert cb.state == "half_open"
    probe.failed()
    assert cb.state == "open"


def test_a_probe_released_after_the_breaker_moved_on_frees_nothing_it_should_not() -> None:
    clock = Clock()
    cb = half_open(clock)
    lingering, failing = admitted(cb), admitted(cb)
    failing.failed()  # open again, a new period
    clock.now += 30
    fresh = [admitted(cb), admitted(cb)]
    lingering.release()  # from the last half-open period: must not make room for a third probe now
    assert cb.admit() is None
    for probe in fresh:
        probe.succeeded()
    assert cb.state == "closed"


def test_an_unguarded_permit_records_nothing() -> None:
    clock = Clock()
    cb = breaker(clock)
    record(cb, False, False, False, False)
    Permit.unguarded().succeeded()
    Permit.unguarded().failed()
    assert cb.state == "open" and len(cb.transitions) == 1


def test_the_history_of_transitions_is_bounded() -> None:
    clock = Clock()
    cb = breaker(clock, history=5)
    for _ in range(20):
        record(cb, False, False, False, False)
        clock.now += 30
        record(cb, True, True)
    assert len(cb.transitions) == 5
    assert cb.transitions[-1].new == "closed"


def test_listeners_hear_its_own_changes_with_the_open_period_already_set() -> None:
    clock = Clock()
    cb = breaker(clock)
    heard: list[tuple[str, float]] = []
    cb.listeners.append(lambda change: heard.append((change.new, cb.open_for())))
    record(cb, False, False, False, False)
    clock.now += 10
    assert cb.open_for() == 20
    clock.now += 20
    record(cb, True, True)
    assert heard == [("open", 30), ("half_open", 0), ("closed", 0)]


def test_an_adopted_open_refuses_calls_for_the_time_given_and_is_not_told_back() -> None:
    clock = Clock()
    cb = breaker(clock)
    heard: list[str] = []
    cb.listeners.append(lambda change: heard.append(change.new))
    cb.adopt("open", open_for=5)
    assert cb.state == "open" and cb.admit() is None
    clock.now += 5
    assert cb.state == "half_open"
    assert heard == []  # adopted, so not passed back; the move to half-open below is its own
    admitted(cb)
    assert heard == ["half_open"]


def test_an_adopted_close_starts_a_fresh_window_and_makes_earlier_permits_stale() -> None:
    clock = Clock()
    cb = breaker(clock)
    record(cb, False, False, False)
    slow = admitted(cb)
    cb.adopt("closed")
    slow.failed()  # admitted before the adopted close: its verdict is gone with that window
    record(cb, False, False, False)
    assert cb.state == "closed"  # 3 failures in a fresh window of 3: below min_calls
