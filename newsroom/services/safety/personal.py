"""
Personal information (个人信息) detectors: 身份证号, mobile numbers, bank cards.

Precision matters as much as recall: a number is flagged only when it passes
the checks its kind carries (GB 11643 check digit and a real birth date, the
Luhn check, a mobile prefix), and never when it is a piece of a longer run of
digits. 文号, order numbers, dates and office landlines fail these checks.
"""

import re
from dataclasses import dataclass
from datetime import date

ID_CARD = "id_card"
MOBILE = "mobile"
BANK_CARD = "bank_card"

# GB/T 2260 province codes (the first two digits of a 身份证号).
PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# A digit run with nothing digit-like on either side. A dash or dot joined to
# a digit continues the run (2023-110101199003071234 is not an ID).
_BEFORE = r"(?<!\d)(?<!\d[.\-])"
_AFTER = r"(?![0-9A-Za-z])(?![.\-]\d)"
ID_RE = re.compile(_BEFORE + r"(\d{17}[\dXx]|\d{15})(?![\dXx])(?![.\-]\d)")
# 1[3-9] and nine digits, grouped 3-4-4 by spaces or dashes, optionally +86.
MOBILE_RE = re.compile(
    r"(?<![\d+])(?<!\d[.\-])"
    r"((?:(?:\+|00)?86[ \-]?)?)(1[3-9]\d)([ \-]?)(\d{4})\3(\d{4})" + _AFTER
)
# 16–19 digits, solid or in groups of four (the last group shorter), or 6+13.
CARD_RE = re.compile(
    _BEFORE
    + r"(\d{16,19}|\d{4}([ \-])\d{4}\2\d{4}\2\d{4}(?:\2\d{1,3})?|\d{6}[ \-]\d{10,13})"
    + _AFTER
)
# Issuers' first digits: 3 (JCB, AmEx), 4 (Visa), 5 (Mastercard), 6 (UnionPay), 9 (domestic).
CARD_FIRST_DIGITS = frozenset("34569")


@dataclass(frozen=True)
class Found:
    kind: str
    start: int
    end: int
    text: str
    masked: str


def id_card_valid(number: str, *, today=None) -> bool:
    """An 18-digit number with a GB 11643 check digit and a real birth date, or a
    15-digit one (before 1999) with a real date."""
    number = number.upper()
    if len(number) == 18:
        if not number[:17].isdigit():
            return False
        total = sum(int(d) * w for d, w in zip(number[:17], WEIGHTS, strict=True))
        if CHECK_CHARS[total % 11] != number[17]:
            return False
        birth = number[6:14]
    elif len(number) == 15 and number.isdigit():
        birth = "19" + number[6:12]
    else:
        return False
    if int(number[:2]) not in PROVINCES:
        return False
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= (today or date.today())


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def mask_id_card(number: str) -> str:
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_digits(digits: str, *, keep_start: int, keep_end: int) -> str:
    return digits[:keep_start] + "*" * (len(digits) - keep_start - keep_end) + digits[-keep_end:]


def find_personal(text: str) -> list[Found]:
    """Every 身份证号, mobile number and bank card number in the text."""
    found = []
    taken = []
    if any(char.isdigit() for char in text):
        for match in ID_RE.finditer(text):
            if id_card_valid(match.group(1)):
                number = match.group(1)
                found.append(
                    Found(ID_CARD, match.start(1), match.end(1), number, mask_id_card(number))
                )
                taken.append((match.start(1), match.end(1)))
        for match in MOBILE_RE.finditer(text):
            digits = match.group(2) + match.group(4) + match.group(5)
            masked = match.group(1) + digits[:3] + "****" + digits[-4:]
            found.append(Found(MOBILE, match.start(), match.end(), match.group(0), masked))
        for match in CARD_RE.finditer(text):
            digits = re.sub(r"\D", "", match.group(1))
            if not 16 <= len(digits) <= 19 or digits[0] not in CARD_FIRST_DIGITS:
                continue
            if any(s <= match.start(1) < e for s, e in taken) or not luhn_valid(digits):
                continue
            masked = mask_digits(digits, keep_start=4, keep_end=4)
            found.append(Found(BANK_CARD, match.start(1), match.end(1), match.group(1), masked))
    return found


def generic_mask(text: str) -> str:
    """A site pattern's match with its middle hidden (keeps a quarter at each end)."""
    keep = max(1, len(text) // 4) if len(text) > 2 else 0
    if keep == 0:
        return "*" * len(text)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]
