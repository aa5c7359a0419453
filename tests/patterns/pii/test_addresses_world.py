import pytest

from tests.patterns.pii.support import found


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("liefern an Gartenstraße 7, 50667 Köln bitte", "Gartenstraße 7, 50667 Köln"),
        ("Bahnhofstr. 3b, 8001 Zürich", "Bahnhofstr. 3b, 8001 Zürich"),
        ("envío a Calle de Alcalá 40, 2º A, 28014 Madrid", "Calle de Alcalá 40, 2º A, 28014 Madrid"),
        ("Keizersgracht 10, 1015 CN Amsterdam", "Keizersgracht 10, 1015 CN Amsterdam"),
        ("Rua das Flores 120, Curitiba - PR, 80010-020", "Rua das Flores 120, Curitiba - PR, 80010-020"),
        ("Flat 12, Lake View Towers, MG Road, Pune 411001", "Flat 12, Lake View Towers, MG Road, Pune 411001"),
        ("〒530-0001 大阪府大阪市北区梅田1-1-3です", "〒530-0001 大阪府大阪市北区梅田1-1-3"),
        ("1-2-3 Ginza, Chuo-ku, Tokyo 104-0061", "1-2-3 Ginza, Chuo-ku, Tokyo 104-0061"),
        ("Ivy Cottage, Mill Lane, Ashby, Kent CT4 6AB", "Ivy Cottage, Mill Lane, Ashby, Kent CT4 6AB"),
        ("RR 4 Box 12, Dover, DE 19901", "RR 4 Box 12, Dover, DE 19901"),
        ("General Delivery, Nome, AK 99762", "General Delivery, Nome, AK 99762"),
        ("PSC 123 Box 4, APO AE 09001", "PSC 123 Box 4, APO AE 09001"),
        ("Unit 3/22 Beach Parade, Manly NSW 2095", "Unit 3/22 Beach Parade, Manly NSW 2095"),
        ("350 5th Ave, Fl 20, New York, NY 10118", "350 5th Ave, Fl 20, New York, NY 10118"),
    ],
)
def test_addresses_of_several_countries(text: str, value: str) -> None:
    assert ("address", value) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Hauptstraße is closed, 10115 people protested",
        "we walked 12 Peaks Trail in 3 days",
        "the Rose Cottage hotel was lovely",
        "Flat 4 was cheaper",
        "Via Ferrata 3 times this year",
    ],
)
def test_address_look_alikes(text: str) -> None:
    assert "address" not in {k for k, _ in found(text)}


def test_a_city_named_like_a_floor_is_not_a_unit() -> None:
    assert found("ship to 9 Oak St., Flagstaff, AZ 86001") == [("address", "9 Oak St., Flagstaff, AZ 86001")]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("北京市朝阳区建国路88号", "北京市朝阳区建国路88号"),
        ("请寄到上海市浦东新区世纪大道100号，谢谢", "上海市浦东新区世纪大道100号"),  # the verb is not the address
        ("地址：广东省深圳市南山区科技园路1号", "广东省深圳市南山区科技园路1号"),
        ("東京都渋谷区渋谷2-21-1です", "東京都渋谷区渋谷2-21-1"),
        ("서울특별시 강남구 테헤란로 123", "서울특별시 강남구 테헤란로 123"),
        ("부산광역시 해운대구 해운대로 570 으로 보내주세요", "부산광역시 해운대구 해운대로 570"),
    ],
)
def test_han_and_hangul_addresses_without_a_postcode(text: str, address: str) -> None:
    assert found(text) == [("address", address)]


@pytest.mark.parametrize("text", ["我在北京市工作了3年", "市区有2家店", "서울시에 3번 갔어요"])
def test_a_city_and_a_number_are_no_han_or_hangul_address(text: str) -> None:
    assert [k for k, _ in found(text) if k == "address"] == []
