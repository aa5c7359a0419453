"""Per-model quotas on the `limits` library: requests in a moving window, tokens in a sliding one.

`limits` reads time.time(); time-machine moves it, so no test waits for a window to pass.
"""

from __future__ import annotations

import pytest
import time_machine

from switchboard.patterns.model_quota import ModelQuotas, Quota, parse_quotas

START = 1_800_000_000.0


def test_a_setting_names_each_quota_by_provider_and_model() -> None:
    text = " demo-a:demo-large=60rpm/200000tpm, demo-b:demo-small=30rpm,openai:gpt-4o-mini=9000tpm "
    assert parse_quotas(text) == {
        ("demo-a", "demo-large"): Quota(60, 200_000),
        ("demo-b", "demo-small"): Quota(30, 0),
        ("openai", "gpt-4o-mini"): Quota(0, 9000),
    }
    assert parse_quotas("") == {} and parse_quotas(" , ") == {}


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("demo-a=60rpm", "'demo-a=60rpm': expected provider:model="),
        ("demo-a:demo-large=60", "'60' is not <N>rpm or <N>tpm"),
        ("demo-a:demo-large=60rpm/5rps", "'5rps' is not <N>rpm or <N>tpm"),
        ("demo-a:demo-large=-1rpm", "'-1rpm' is not"),
        ("demo-a:demo-large=1rpm/2rpm", "rpm is given twice"),
        ("demo-a:x=1rpm, demo-a:x=2rpm", "demo-a:x is given twice"),
        ("demo-a:demo-large=", "'' is not <N>rpm"),
    ],
)
def test_a_bad_setting_is_an_error_naming_the_bad_part(text: str, named: str) -> None:
    with pytest.raises(ValueError, match="model quota") as raised:
        parse_quotas(text)
    assert named in str(raised.value)


def test_requests_past_the_quota_are_refused_until_the_oldest_leaves_the_window() -> None:
    with time_machine.travel(START, tick=False) as clock:
        quotas = ModelQuotas({("a", "m"): Quota(requests_per_minute=2)})
        assert quotas.admit("a", "m") is None
        clock.shift(30)
        assert quotas.admit("a", "m") is None
        assert quotas.admit("a", "m") == "requests"
        assert quotas.admit("b", "m") is None and quotas.admit("a", "other") is None  # no quota: admitted
        clock.shift(30.5)  # the first has left the window; the refusal was not counted
        assert quotas.admit("a", "m") is None
        assert quotas.admit("a", "m") == "requests"


def test_tokens_charged_after_calls_refuse_the_next_until_enough_leave_the_window() -> None:
    with time_machine.travel(START, tick=False) as clock:  # START begins a clock minute, as the windows do
        quotas = ModelQuotas({("a", "m"): Quota(tokens_per_minute=1000)})
        assert quotas.admit("a", "m") is None
        quotas.charge("a", "m", 600)
        clock.shift(20)
        assert quotas.admit("a", "m") is None  # 600 < 1000
        quotas.charge("a", "m", 2500)  # overruns: the window is filled to its quota
        assert quotas.admit("a", "m") == "tokens"
        clock.shift(40.5)  # the next minute: the last one's 1000 count as 991 (59.5 of its 60 s are recent)
        assert quotas.admit("a", "m") is None
        quotas.charge("a", "m", 500)  # 9 of them fit: at quota again
        assert quotas.admit("a", "m") == "tokens"
        clock.shift(30)  # half of the last minute is recent: 500 + 9
        assert quotas.admit("a", "m") is None


def test_a_pair_without_a_token_quota_charges_nothing() -> None:
    quotas = ModelQuotas({("a", "m"): Quota(requests_per_minute=5)})
    quotas.charge("a", "m", 10**9)
    quotas.charge("z", "m", 10**9)
    assert quotas.admit("a", "m") is None and quotas.keys == frozenset({("a", "m")})
