from switchboard.patterns.circuit_breaker import CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker(window=10, min_calls=4, failure_rate=0.5, reset_after=30, probes=2, clock=clock)


def test_opens_at_the_failure_rate_and_refuses_calls() -> None:
    clock = Clock()
    cb = breaker(clock)
    for outcome in (True, False, True):
        cb.record(outcome)
    assert cb.state == "closed"  # 1 failure in 3: too few calls to judge
    cb.record(False)
    assert cb.state == "open" and not cb.allow()


def test_half_open_after_the_reset_time_lets_only_the_probes_through() -> None:
    clock = Clock()
    cb = breaker(clock)
    for _ in range(4):
        cb.record(False)
    clock.now += 29.9
    assert cb.state == "open"
    clock.now += 0.1
    assert cb.state == "half_open"
    assert [cb.allow() for _ in range(3)] == [True, True, False]
    cb.record(True)
    cb.record(True)
    assert cb.state == "closed" and cb.allow()
    assert [(t.old, t.new) for t in cb.transitions] == [
        ("closed", "open"),
        ("open", "half_open"),
        ("half_open", "closed"),
    ]


def test_a_failed_probe_opens_it_again() -> None:
    clock = Clock()
    cb = breaker(clock)
    for _ in range(4):
        cb.record(False)
    clock.now += 30
    assert cb.allow()
    cb.record(False)
    assert cb.state == "open" and not cb.allow()
