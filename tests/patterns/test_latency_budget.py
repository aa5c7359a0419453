from switchboard.patterns.latency_budget import Deadline


class Clock:
    def __init__(self) -> None:
        self.now = 10.0

    def __call__(self) -> float:
        return self.now


def test_the_deadline_counts_down_and_caps_waits() -> None:
    clock = Clock()
    deadline = Deadline.after(2.0, clock)
    assert deadline.remaining() == 2.0 and deadline.cap(5.0) == 2.0 and deadline.cap(1.0) == 1.0
    clock.now += 1.5
    assert deadline.allows(0.4) and not deadline.allows(0.5)
    clock.now += 1.0
    assert deadline.expired() and deadline.remaining() == 0.0


def test_no_budget_never_expires() -> None:
    open_ended = Deadline(None)
    assert open_ended.remaining() is None and not open_ended.expired() and open_ended.cap(3.0) == 3.0
    assert open_ended.allows(1e9)
