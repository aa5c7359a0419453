import pytest

from switchboard.patterns.injection.policy import DecisionPolicy, Evidence, noisy_or


def learned(probability: float, weight: float = 0.85) -> Evidence:
    return Evidence("learned", weight, f"learned classifier (p={probability:.2f})", probability)


def rule(weight: float) -> Evidence:
    return Evidence("rule", weight, "override phrase: 'ignore previous instructions'")


SIMILAR = Evidence("similarity", 0.6, "similar to known attack (0.95): '...'")
# Fixed here, not the shipped defaults, so that a new operating point does not change these tests.
POLICY = DecisionPolicy(flag_at=0.4, block_at=0.8, corroborated_at=0.3, overwhelming=0.995)


def test_noisy_or_combines_independent_evidence() -> None:
    assert noisy_or([0.55, 0.55]) == pytest.approx(0.7975)
    assert noisy_or([]) == 0.0


def test_learned_evidence_alone_flags_even_at_full_weight() -> None:
    assert POLICY.decide([learned(0.97)]) == "flag"


def test_learned_and_similarity_together_still_only_flag() -> None:
    # 1 - 0.15 * 0.4 = 0.94: the old noisy OR blocked this; both pieces are soft.
    assert POLICY.decide([learned(0.97), SIMILAR]) == "flag"


def test_an_overwhelming_calibrated_score_blocks_alone() -> None:
    assert POLICY.decide([learned(0.999)]) == "block"
    assert DecisionPolicy(overwhelming=2.0).decide([learned(0.999)]) == "flag"


def test_a_strong_rule_blocks_alone() -> None:
    assert POLICY.decide([rule(0.9)]) == "block"


def test_soft_evidence_tips_a_corroborating_rule_over() -> None:
    assert POLICY.decide([rule(0.35), learned(0.97)]) == "block"  # 1 - 0.65 * 0.15 = 0.90
    assert POLICY.decide([rule(0.2), learned(0.97)]) == "flag"  # the rule is under corroborated_at


def test_unicode_and_payload_evidence_count_as_hard() -> None:
    tricks = [Evidence("unicode", 0.5, "bidirectional control characters"), Evidence("payload", 0.45, "encoded")]
    assert POLICY.decide([*tricks, learned(0.9)]) == "block"


def test_weak_evidence_passes() -> None:
    assert POLICY.decide([rule(0.3)]) == "allow"
    assert POLICY.decide([]) == "allow"


def test_the_old_noisy_or_is_the_policy_with_no_corroboration_and_no_overwhelming() -> None:
    before = DecisionPolicy(corroborated_at=0.0, overwhelming=2.0)
    assert before.decide([learned(0.97), SIMILAR]) == "block"


def test_the_shipped_point_lets_the_learned_layer_alone_block_only_from_095() -> None:
    # chosen on `bench/injection_roc.py --cv 5`: at 0.9, 1.1% of benign messages were blocked
    shipped = DecisionPolicy()
    assert (shipped.corroborated_at, shipped.overwhelming) == (0.45, 0.95)
    assert shipped.decide([learned(0.93)]) == "flag"
    assert shipped.decide([learned(0.96)]) == "block"
    assert shipped.decide([rule(0.5), learned(0.93)]) == "block"  # a rule of 0.5 lets it tip the score over
