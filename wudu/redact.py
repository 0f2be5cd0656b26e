"""Masking of personal data in free text that goes public (Open311, the resident's tracking page).

What a resident types is published only after ID numbers, phone numbers (mobiles, landlines with or without an
area code, +86, 400/800 numbers, with spaces, dashes or brackets), e-mail addresses, door numbers (3号楼2单元501室,
5栋1202, 12-3-401, 门牌号 …) and the personal names that can be recognised (after 我叫/姓名/联系人/本人 …, and
张先生/李女士/王师傅/老王 forms) are replaced by a label ([电话], [证件号], [门牌号], [姓名]; a surname before an
honorific becomes 某). It errs towards masking too much: any run of seven or more digits goes, whatever it was,
so a published text never carries a number someone could call or look up. Dates and times are kept, so the
text still says what happened and when. The labels themselves are never masked again: redacting twice changes
nothing. The labels are part of the (Chinese) text, not of the page around it, so they are not translated. A
kernel module: plain text in, plain text out, no Django or app imports.
"""

from __future__ import annotations

import re

PHONE, ID_NUMBER, EMAIL, DOOR, NAME, SOMEONE = "[电话]", "[证件号]", "[邮箱]", "[门牌号]", "[姓名]", "某"

# The hundred-odd commonest surnames, and the compound ones.
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
             "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
             "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴"
             "霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑"
             "景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")
_COMPOUND = "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|令狐|司徒|夏侯|长孙|宇文|轩辕|端木|独孤|南宫|西门"
# 老王 / 小李: only surnames that do not also start a common word after 老 or 小 (小区, 小胡同, 小康, 老赖 …).
_FAMILIAR = "王李张刘陈杨赵周吴徐朱郭何罗郑梁谢宋唐许韩冯董曹袁邓彭曾吕苏卢蒋蔡贾丁魏薛叶潘杜戴夏钟汪姜姚谭廖邹陆郝孔崔邱秦顾侯邵孟雷汤尹黎乔贺龚"
# Characters that end a name: they start the words that usually follow one.
_STOP = "，。、；：！？,.;:!?（）()\\[\\]【】\"'“”‘’ \t\n先女师老住在家的是电手说反投举要想和与及向对给请现今昨明已也都就又再还楼号单室栋门路街区村社居边围"
_GIVEN = rf"(?:(?![{_STOP}])[\u4e00-\u9fff])"
_SURNAME = rf"(?:{_COMPOUND}|[{_SURNAMES}])"
_HONORIFIC = "先生|女士|小姐|师傅|阿姨|大爷|大妈|大娘|大姐|大哥|老师|同志|经理|书记|主任|老板|奶奶|爷爷|老人"
_CUE = "我叫|名叫|叫做|姓名|联系人|本人|我是|反映人|投诉人|举报人|报案人|户主|业主|租户|签名"

_CN = "[一二三四五六七八九十零〇]+"
_DIGITS = "[0-9０-９]+"
_SP = "[ \t]?"
# A unit of a door number, and the numbers it may follow (Chinese numerals only where the pair is unambiguous).
_DOOR_PART = (rf"(?:(?:{_DIGITS}|{_CN}|[A-Za-z]){_SP}(?:号楼|号院|号门|栋|幢|单元|号(?![线车码])|楼(?![道梯顶房盘])|座)"
              rf"|{_DIGITS}{_SP}(?:层|室|户))")
_DOOR = re.compile(
    rf"(?<![0-9A-Za-z]){_DOOR_PART}(?:{_SP}{_DOOR_PART})*"
    rf"(?:{_SP}[\-－—]?{_SP}(?:{_DIGITS}|[一二三四五六七八九零〇]{{3,4}})(?:{_SP}[室号户])?)?"
)
_DASHED_DOOR = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]?\d{1,4}(?:[\-－—]\d{1,4}){2,3}(?:[室号户])?(?![0-9])")
_DOOR_CUE = re.compile(r"(门牌号?|房号|房间号|门牌号码)([:：\s]*(?:是|为)?[:：\s]*)[A-Za-z0-9０-９\-－—#]+")

_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.ASCII)
# Any run of digits joined by spaces, dashes or brackets (a phone number in any form, an ID number, a bank card).
_NUMBER = re.compile(r"(?<![0-9A-Za-z])[+＋]?[(（]?\d(?:[ \t\-－—()（）]{0,3}\d)*(?:[Xx](?![A-Za-z]))?")
_LONG_NUMBER = 7

# Dates and times are not personal data and make the text readable: they are set aside first.
_KEEP = re.compile(
    r"\d{4}\s?[-/.年]\s?\d{1,2}\s?[-/.月]\s?\d{1,2}\s?[日号]?"
    r"|\d{1,2}\s?月\s?\d{1,2}\s?[日号]"
    r"|\d{1,2}[:：]\d{2}(?:[:：]\d{2})?"
)
_NAME_CUE = re.compile(rf"({_CUE})([:：\s]*){_SURNAME}{_GIVEN}{{1,2}}")
_NAME_HONORIFIC = re.compile(rf"{_SURNAME}(?=(?:{_HONORIFIC}))")
_NAME_FAMILIAR = re.compile(rf"(?<![老小])([老小])[{_FAMILIAR}]")
_PRIVATE_USE = 0xE000
_PRIVATE = re.compile("[\ue000-\uf8ff]")


def redact(text: str) -> str:
    """`text` with personal data masked (see the module's docstring)."""
    if not text or not text.strip():
        return text
    text = _PRIVATE.sub("", text)  # the placeholders below must not collide with anything typed
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return chr(_PRIVATE_USE + len(kept) - 1)

    out = _KEEP.sub(keep, text)
    out = _EMAIL.sub(lambda m: EMAIL, out)
    out = _NUMBER.sub(_number, out)
    out = _DOOR_CUE.sub(lambda m: m.group(1) + m.group(2) + DOOR, out)
    out = _DASHED_DOOR.sub(lambda m: DOOR, out)
    out = _DOOR.sub(lambda m: DOOR, out)
    out = _NAME_CUE.sub(lambda m: m.group(1) + m.group(2) + NAME, out)
    out = _NAME_HONORIFIC.sub(lambda m: SOMEONE, out)
    out = _NAME_FAMILIAR.sub(lambda m: m.group(1) + SOMEONE, out)
    if kept:
        out = _PRIVATE.sub(lambda m: kept[ord(m.group(0)) - _PRIVATE_USE], out)
    return out


def _number(match: re.Match) -> str:
    value = match.group(0)
    digits = sum(ch.isdigit() for ch in value)
    if digits < _LONG_NUMBER:
        return value
    if digits in (15, 18) or value[-1] in "Xx":
        return ID_NUMBER
    return PHONE


def mask_name(name: str) -> str:
    """A person's name for a public page (a certificate's verification): the family name kept, the given name masked
    (张*明, 李*, 欧阳**); a single character stays."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    if len(name) == 3:
        return name[0] + "*" + name[2]
    return name[:2] + "*" * (len(name) - 2)
