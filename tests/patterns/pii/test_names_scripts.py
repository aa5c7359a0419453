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


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("please ship to 陈美玲, thanks", "陈美玲"),
        ("宛名は佐藤健でお願いします", "佐藤健"),
        ("name: 鈴木 一郎", "鈴木 一郎"),
        ("받는 사람: 이서연", "이서연"),
        ("order under 최유진 pls", "최유진"),
        ("the parcel is for فاطمة الزهراء", "فاطمة الزهراء"),
        ("order प्रिया पटेल के नाम पर है", "प्रिया पटेल"),
        ("田中様 ありがとうございます", "田中"),
        ("ship to Trần Văn Minh", "Trần Văn Minh"),
        ("recipient: Nguyễn Thị Lan", "Nguyễn Thị Lan"),
    ],
)
def test_a_name_in_another_script_after_an_english_or_native_cue(text: str, value: str) -> None:
    assert found(text) == [("name", value)]


@pytest.mark.parametrize(
    "text",
    [
        "is this for 日本 customers",  # a country after "for"
        "do you ship to 東京?",
        "Hồ Chí Minh City is hot in May",  # a city named after a person
        "we went to 한국 last year",
        "the 东京 store has it",  # no cue before it
    ],
)
def test_places_and_uncued_runs_are_no_names(text: str) -> None:
    assert [k for k, _ in found(text) if k == "name"] == []
