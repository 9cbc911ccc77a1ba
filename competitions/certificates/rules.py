"""Pure rules of certificates: numbers, body templates, what to issue or revoke, fitting text.

No Flask, no database, no clock. ``tests/certificates/test_rules.py`` pins each rule with a table.
"""

import hashlib
import hmac
import json
import re
import string
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import astuple, dataclass
from datetime import date

from competitions.core.words import N_, Reason

#: The fields a body template may use.
FIELDS = ("name", "unit", "contest", "tier", "trade", "award", "rank", "team")
#: Their Chinese names, which a template may use as well: {姓名} is {name}.
FIELD_ALIASES = {
    "姓名": "name",
    "单位": "unit",
    "竞赛": "contest",
    "级别": "tier",
    "工种": "trade",
    "奖项": "award",
    "名次": "rank",
    "团队": "team",
}

#: Certificates are Chinese documents: the labels printed on them, whatever the reader's language.
TIER_ZH = {
    "enterprise": "企业",
    "county": "县（区）级",
    "city": "市级",
    "province": "省级",
    "industry": "行业",
    "national": "全国",
}
AWARD_ZH = {
    "special": "特等奖",
    "first": "一等奖",
    "second": "二等奖",
    "third": "三等奖",
    "gold": "金牌",
    "silver": "银牌",
    "bronze": "铜牌",
    "mention": "优胜奖",
    "may_day_medal": "五一劳动奖章",
    "technical_expert": "技术能手",
    "promotion": "晋升职业技能等级",
    # a labour competition's commendations (劳动竞赛)
    "labour_model": "劳动竞赛标兵",
    "advanced_collective": "先进集体",
    "pioneer": "工人先锋号",
}

#: Crockford's base32: no I, L, O or U, so a typed check part cannot be misread.
CHECK_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 25 bits: one guess in 33 million, at most 60 guesses a minute (the /verify rate limit).
CHECK_LENGTH = 5
#: Characters of the contest's code kept in a number (before its two-digit year).
CONTEST_LENGTH = 8
#: What a typed number may contain by mistake where only digits (O, I, L) or only check
#: characters (also U) belong, and what was meant.
_DIGIT_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CHECK_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_DASHES = re.compile(r"[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D_‐]")
_SHAPE = re.compile(rf"^([A-Z0-9]{{1,{CONTEST_LENGTH}}}\d{{2}})-(\d{{4,}})-(\d{{4,}})-(\w+)$")


# --- numbers ---------------------------------------------------------------------------------


def contest_segment(code: str, year: int) -> str:
    """A contest as printed in a number: its code in upper-case ASCII letters and digits without
    its year (at most 8 characters, "X" when none is left), then the year's last two digits
    ("SD-2018", 2018 → "SD18"; "sd prov", 2019 → "SDPROV19")."""
    plain = re.sub(r"[^A-Z0-9]+", "", unicodedata.normalize("NFKC", code).upper())
    plain = plain.replace(str(year), "")[:CONTEST_LENGTH] or "X"
    return f"{plain}{year % 100:02d}"


def check_part(prefix: str, key: bytes) -> str:
    """The check part of a number: HMAC-SHA256 of the rest under the certificate key, its first
    25 bits in Crockford base32 (5 characters), so numbers cannot be guessed from their order."""
    digest = hmac.new(key, prefix.encode(), hashlib.sha256).digest()
    bits = int.from_bytes(digest[:4], "big") >> (32 - 5 * CHECK_LENGTH)
    shifts = range(5 * (CHECK_LENGTH - 1), -1, -5)
    return "".join(CHECK_ALPHABET[(bits >> shift) & 31] for shift in shifts)


def certificate_number(
    year: int, contest_code: str, contest_trade_id: int, seq: int, key: bytes
) -> str:
    """``{contest}{yy}-{trade}-{seq}-{check}``, short enough to read out on the phone
    ("SD18-0602-0004-7KQ2M"): the contest (:func:`contest_segment`), the trade's number in the
    contest (its contest-trade id, which makes numbers unique however alike two contests' codes
    read) and the certificate's sequence in it, each at least 4 digits, then the check part."""
    prefix = f"{contest_segment(contest_code, year)}-{contest_trade_id:04d}-{seq:04d}"
    return f"{prefix}-{check_part(prefix, key)}"


#: A number of the real shape, for hints (its check part made with a key no site has).
EXAMPLE_NUMBER = certificate_number(2018, "SD-2018", 602, 4, b"example")


def normalise_number(raw: str) -> str:
    """A typed number as stored: full-width characters made plain, spaces removed, upper case,
    every kind of dash a hyphen, and in the digit parts of a number O read as 0, I and L as 1,
    in its check part also U as V (text that is no number at all is left as typed, apart from
    the first steps)."""
    text = unicodedata.normalize("NFKC", raw or "")
    text = _DASHES.sub("-", re.sub(r"\s+", "", text)).upper()
    parts = text.split("-")
    if len(parts) != 4:
        return text
    contest, trade, seq, check = parts
    read = "-".join(
        (
            contest,
            trade.translate(_DIGIT_TYPOS),
            seq.translate(_DIGIT_TYPOS),
            check.translate(_CHECK_TYPOS),
        )
    )
    return read if _SHAPE.match(read) else text


def number_problem(number: str, key: bytes) -> Reason | None:
    """Why a normalised number cannot be one of ours: not the shape of a number, or a check
    part that does not match the rest (a typing mistake, or a made-up number). None if it can."""
    if not number:
        return Reason.of(N_("type the certificate number"))
    found = _SHAPE.match(number)
    check = found.group(4) if found else ""
    if len(check) != CHECK_LENGTH or not set(check) <= set(CHECK_ALPHABET):
        return Reason.of(
            N_("%(number)s is not a certificate number: it reads like %(example)s"),
            number=number[:60],
            example=EXAMPLE_NUMBER,
        )
    prefix = number.rsplit("-", 1)[0]
    if not hmac.compare_digest(check_part(prefix, key), check):
        return Reason.of(
            N_("the check part of %(number)s does not match: look for a typing mistake"),
            number=number,
        )
    return None


# --- file names ------------------------------------------------------------------------------

#: Names Windows keeps for devices, whatever the extension.
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(10)}
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\s_]+')


def file_name_part(text: str, limit: int = 80) -> str:
    """Text as one safe part of a file or folder name (entries of a certificate ZIP): control,
    format (direction overrides, zero-width) and separator characters, path and Windows
    punctuation and spaces become "_" (one for a run), no dot first (no "..", no hidden
    file), no Windows device name, at most ``limit`` characters; "_" when nothing is left."""
    shown = "".join(
        "_" if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") else char
        for char in text
    )
    part = _UNSAFE_IN_NAMES.sub("_", shown).lstrip("._")[:limit].rstrip("_") or "_"
    return f"_{part}" if part.split(".")[0].upper() in _RESERVED else part


# --- body templates --------------------------------------------------------------------------


def template_problem(template: str) -> Reason | None:
    """Why a body template cannot be filled: an unknown field (named), a field with a format or
    conversion, or an unmatched brace ({{ and }} print braces). None when it is fine. A field
    is named in English or in Chinese ({name} or {姓名}, see ``FIELD_ALIASES``)."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        return Reason.of(N_("a brace { or } is not matched: write {{ or }} for a brace itself"))
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in FIELDS and field not in FIELD_ALIASES:
            return Reason.of(
                N_("unknown field {%(field)s}: use %(fields)s"),
                field=field,
                fields=", ".join(f"{{{f}}}" for f in FIELDS),
            )
        if spec or conversion:
            return Reason.of(N_("write the field {%(field)s} without a format"), field=field)
    return None


def fill(template: str, values: dict[str, str]) -> str:
    """The template with each field, named in English or Chinese, replaced by its value (the
    template is valid)."""
    filled = {f: values.get(f, "") for f in FIELDS}
    return template.format_map(filled | {zh: filled[en] for zh, en in FIELD_ALIASES.items()})


# --- what to issue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What one certificate says, and whom it is for (``subject``: "entry:12", "team:5"…)."""

    kind: str
    subject: str
    name: str
    unit: str
    contest: str
    tier: str
    trade: str
    award: str
    rank: int | None = None
    team: str = ""
    id_masked: str = ""

    def values(self) -> dict[str, str]:
        """The template fields, with the tier and award in Chinese."""
        return {
            "name": self.name,
            "unit": self.unit,
            "contest": self.contest,
            "tier": TIER_ZH.get(self.tier, self.tier),
            "trade": self.trade,
            "award": AWARD_ZH.get(self.award, self.award),
            "rank": "" if self.rank is None else str(self.rank),
            "team": self.team,
        }


def fingerprint(facts: Facts) -> str:
    """A digest of the facts printed on a certificate (not the masked ID, shown only online)."""
    printed = astuple(facts)[:-1]
    return hashlib.sha256(json.dumps(printed, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class Held:
    """A valid certificate already issued: its id, subject and fingerprint."""

    id: int
    subject: str
    fingerprint: str


@dataclass(frozen=True)
class Plan:
    """What an issue run does: certificates kept, new ones to issue, held ones to revoke."""

    keep: tuple[int, ...]
    issue: tuple[Facts, ...]
    revoke: tuple[int, ...]


def plan_issue(held: Iterable[Held], wanted: Iterable[Facts]) -> Plan:
    """Compare the valid certificates with what the final results now call for.

    Rule: a subject whose certificate says the same facts keeps it (number and file); a subject
    whose facts changed has its certificate revoked and a new one issued; a subject without a
    certificate gets one; a certificate whose subject no longer earns one is revoked. Running the
    same plan again after it was carried out issues and revokes nothing.
    """
    by_subject = {h.subject: h for h in held}
    keep, issue, revoke = [], [], []
    seen = set()
    for facts in wanted:
        seen.add(facts.subject)
        current = by_subject.get(facts.subject)
        if current and current.fingerprint == fingerprint(facts):
            keep.append(current.id)
            continue
        if current:
            revoke.append(current.id)
        issue.append(facts)
    revoke.extend(h.id for s, h in by_subject.items() if s not in seen)
    return Plan(tuple(keep), tuple(issue), tuple(sorted(revoke)))


def chinese_date(day: date) -> str:
    """A date as printed on certificates: 2019年5月20日."""
    return f"{day.year}年{day.month}月{day.day}日"


# --- fitting text ----------------------------------------------------------------------------

#: Characters that may not begin a line (Chinese line-breaking rules, 禁则).
NO_LINE_START = set("，。、；：！？）》」』”’,.;:!?)]%")


@dataclass(frozen=True)
class Fitted:
    """Text laid out at a font size: its lines."""

    size: float
    lines: tuple[str, ...]


def _tokens(text: str) -> list[str]:
    """Break opportunities: every CJK character alone, Latin words and digits kept whole."""
    return re.findall(r"[A-Za-z0-9@._/:+-]+|\s+|.", text)


def wrap(text: str, measure: Callable[[str], float], max_width: float, size: float) -> list[str]:
    """Lines of ``text`` no wider than ``max_width`` at ``size`` (``measure`` gives the width at
    size 1). Breaks between CJK characters or at spaces, never before closing punctuation; a
    word wider than the line is broken by characters."""
    lines, line = [], ""
    for token in _tokens(text):
        if measure(line + token) * size <= max_width:
            line += token
            continue
        if token.isspace():
            lines.append(line)
            line = ""
            continue
        if measure(token) * size > max_width:  # a word longer than a line: by characters
            for char in token:
                if measure(line + char) * size > max_width and line:
                    lines.append(line)
                    line = ""
                line += char
            continue
        if token in NO_LINE_START and len(line) > 1:
            lines.append(line[:-1])
            line = line[-1] + token
        else:
            lines.append(line)
            line = token
    if line or not lines:
        lines.append(line)
    return [ln.rstrip() for ln in lines if ln.strip()] or [""]


def fit_line(
    text: str,
    measure: Callable[[str], float],
    max_width: float,
    size: float,
    min_size: float,
    step: float = 0.5,
) -> Fitted:
    """One line at the largest size from ``size`` down to ``min_size`` (by ``step``) at which it
    fits ``max_width``; if none does, wrapped at ``min_size``. Never wider than ``max_width``."""
    current = size
    while current >= min_size:
        if measure(text) * current <= max_width:
            return Fitted(current, (text,))
        current = round(current - step, 4)
    return Fitted(min_size, tuple(wrap(text, measure, max_width, min_size)))


def fit_block(
    paragraphs: list[str],
    measure: Callable[[str], float],
    box: tuple[float, float],
    size: float,
    min_size: float,
    leading: float = 1.6,
    indent: str = "",
    step: float = 0.5,
) -> Fitted:
    """Paragraphs wrapped into a box (width, height), each starting with ``indent``, at the
    largest size from ``size`` down to ``min_size`` at which all lines fit the box's height; at
    ``min_size`` they are wrapped even if taller (the form limits the length of a body)."""
    width, height = box
    current = size
    while True:
        lines = [ln for p in paragraphs for ln in wrap(indent + p, measure, width, current)]
        if len(lines) * current * leading <= height or current - step < min_size:
            return Fitted(current, tuple(lines))
        current = round(current - step, 4)
