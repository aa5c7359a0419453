import pytest

from tests.patterns.pii.support import found


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("меня зовут Анна Петрова, где заказ?", "Анна Петрова"),
        ("Тарас Коваленко — мій акаунт", "Тарас Коваленко"),
        ("με λένε Νίκος Ιωάννου", "Νίκος Ιωάννου"),
        ("我叫李娜，请帮我查一下", "李娜"),
        ("私は佐藤健です。", "佐藤健"),
        ("受取人 鈴木 一郎", "鈴木 一郎"),
        ("제 이름은 이서연입니다.", "이서연"),
        ("اسمي فاطمة الزهراء", "فاطمة الزهراء"),
        ("मेरा नाम प्रिया सिंह है", "प्रिया सिंह"),
    ],
)
def test_names_in_other_scripts(text: str, value: str) -> None:
    assert ("name", value) in found(text)


@pytest.mark.parametrize(
    "text",
    ["заказ не пришёл, помогите", "το πακέτο άργησε", "我的订单还没到", "注文がまだ届いていません", "주문이 안 왔어요"],
)
def test_text_in_other_scripts_without_a_name(text: str) -> None:
    assert found(text) == []


def test_two_particles_inside_a_latin_name() -> None:
    assert found("name: Anouk van der Meer") == [("name", "Anouk van der Meer")]
