"""wudu.redact: what a resident typed is published only with ID numbers, phone numbers, names and door numbers
masked, and the rest still readable."""

import pytest

from wudu.redact import redact

ID, PHONE, NAME, DOOR = "[证件号]", "[电话]", "[姓名]", "[门牌号]"


def test_the_probe_request_publishes_none_of_its_personal_data():
    text = ("我叫张伟，身份证410102199001011234，家住六一路12号院3号楼2单元501室，"
            "电话0374-5551234，楼道灯坏了一个月没人修")
    out = redact(text)
    for secret in ("410102199001011234", "5551234", "0374", "张伟", "501", "3号楼", "2单元", "12号院"):
        assert secret not in out, (secret, out)
    assert "楼道灯坏了一个月没人修" in out
    assert ID in out and PHONE in out and NAME in out and DOOR in out


@pytest.mark.parametrize("number", [
    "410102199001011234", "41010219900101123X", "41010219900101123x", "410102900101123",
    "410102 1990 0101 1234",
])
def test_id_numbers_are_masked(number):
    out = redact(f"证件号{number}，请核实")
    assert not any(ch.isdigit() for ch in out), out
    assert out.endswith("，请核实")


@pytest.mark.parametrize("number", [
    "13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "+8613812345678", "86-13812345678",
    "0374-5551234", "(0374)5551234", "（0374）5551234", "0374 5551234", "03745551234", "010-87654321",
    "5551234", "87654321", "400-123-4567", "4001234567", "800 123 4567", "0374-5551234-802",
])
def test_phone_numbers_of_any_form_are_masked(number):
    out = redact(f"有事打{number}找我")
    assert not any(ch.isdigit() for ch in out), out
    assert out.startswith("有事打") and out.endswith("找我") and PHONE in out


@pytest.mark.parametrize("text, name", [
    ("我叫李小明，住这里", "李小明"),
    ("姓名：王芳", "王芳"),
    ("联系人:赵四，谢谢", "赵四"),
    ("本人刘洋反映", "刘洋"),
    ("我是陈静，楼下噪音", "陈静"),
    ("反映人孙丽", "孙丽"),
    ("名叫欧阳娜娜", "欧阳娜娜"),
])
def test_names_after_a_cue_are_masked(text, name):
    out = redact(text)
    assert name not in out and NAME in out, out


@pytest.mark.parametrize("text, gone, kept", [
    ("张先生说路灯坏了", "张", "先生说路灯坏了"),
    ("请联系李女士", "李", "女士"),
    ("王师傅来修过一次", "王", "师傅来修过一次"),
    ("老王家门口堆满垃圾", "老王", "家门口堆满垃圾"),
    ("小李说物业不管", "小李", "说物业不管"),
    ("欧阳先生反映", "欧阳", "先生反映"),
])
def test_honorific_and_familiar_forms_hide_the_surname(text, gone, kept):
    out = redact(text)
    assert gone not in out and kept in out, out


@pytest.mark.parametrize("door", [
    "3号楼2单元501室", "5栋1202", "12-3-401", "501室", "3幢2单元", "B座1203", "三号楼二单元五零一",
    "12号院", "8号", "2单元302", "7楼", "1-2-302室",
])
def test_door_numbers_are_masked(door):
    out = redact(f"住在{door}，天天漏水")
    assert door not in out and DOOR in out, out
    assert not any(ch.isdigit() for ch in out), out
    assert out.endswith("天天漏水")


def test_a_door_number_after_its_cue_is_masked():
    out = redact("门牌号：A-301，水管爆了")
    assert "301" not in out and out.endswith("水管爆了")


def test_emails_are_masked():
    assert "example.cn" not in redact("邮箱 wang.fang@example.cn 回复")


@pytest.mark.parametrize("text", [
    "小区门口的垃圾三天没人清运",
    "2026-11-29 晚上 8 点以后路灯不亮",
    "井盖缺失，很危险，已经有 2 个人摔倒",
    "老旧小区的下水道堵了",
    "小区东门的公交站 3 路车",
    "地铁 2 号线出口有人占道经营",
    "11月5号开始一直漏水",
    "高层住宅电梯坏了 30 分钟",
    "我是周边居民，楼道堆满杂物",
])
def test_ordinary_descriptions_stay_readable(text):
    assert redact(text) == text


def test_empty_and_none_like_text_is_left_alone():
    assert redact("") == ""
    assert redact("   ") == "   "


def test_private_use_characters_typed_in_cannot_bring_back_a_masked_number():
    out = redact("\ue000 2026-11-29 电话13812345678")
    assert "138" not in out and "2026-11-29" in out


def test_redaction_is_idempotent():
    once = redact("我叫张伟，电话13812345678，住3号楼2单元501室")
    assert redact(once) == once
