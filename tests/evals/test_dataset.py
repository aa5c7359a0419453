from pathlib import Path

import pytest

from switchboard.evals.dataset import DatasetError, load_dataset


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_turns_variants_and_per_turn_expectations(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{"id": "a", "customer": "C1", "turns": [{"user": "order 10057?", "expect": {"route": "orders"}},'
        ' "and when?"], "expect": {"contains": ["Nov"]}, "must_pass": true}',
        "",
        '{"id": "p", "customer": "C1", "variants": ["refund time?", "when is my money back"],'
        ' "expect": {"sources": ["refund-timing"]}}',
    )
    first, *paraphrases = load_dataset(path, ["C1"])
    assert [t.expect.route for t in first.turns] == ["orders", None]
    assert first.turns[1].expect.contains == ["Nov"] and first.must_pass
    assert [c.id for c in paraphrases] == ["p/1", "p/2"]
    assert all(c.turns[0].expect.sources == ["refund-timing"] for c in paraphrases)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "x", "customer": "C1", "turns": ["hi"]', "cases.jsonl:2: not valid JSON"),
        ('{"id": "x", "customer": "C9", "turns": ["hi"]}', "cases.jsonl:2: unknown customer 'C9'"),
        ('{"id": "x", "customer": "C1", "turns": ["hi"], "colour": 1}', "cases.jsonl:2: colour: Extra inputs"),
        ('{"id": "x", "customer": "C1", "turns": []}', "cases.jsonl:2: a case needs at least one turn"),
        ('{"id": "ok", "customer": "C1", "turns": ["hi"]}', "cases.jsonl:2: duplicate case id 'ok'"),
        ('{"id": "x", "customer": "C1", "turns": ["hi"], "expect": {"route": "sales"}}', "expect.route"),
    ],
)
def test_a_bad_line_is_named(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path, '{"id": "ok", "customer": "C1", "turns": ["hi"]}', line)
    with pytest.raises(DatasetError, match=message.replace("(", r"\(")) as raised:
        load_dataset(path, ["C1"])
    assert raised.value.line == 2


def test_a_missing_file_is_a_dataset_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="cannot read"):
        load_dataset(tmp_path / "nope.jsonl")
