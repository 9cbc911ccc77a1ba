"""How ID numbers and phone numbers are normalised and masked: pure rules every area shares
(the register stores them, judging matches declared relations, public pages and the audit log
mask them)."""

import re


def normalise_id_number(raw: str) -> str:
    """An ID number as stored: surrounding and inner spaces removed, a trailing x upper-cased."""
    return re.sub(r"\s+", "", raw or "").upper()


def mask_id_number(raw: str) -> str:
    """An ID number for public pages: the first 4 and the last 4 characters, stars between.

    Numbers of 8 characters or fewer keep only their last 2.
    """
    number = normalise_id_number(raw)
    if len(number) <= 8:
        return "*" * max(len(number) - 2, 0) + number[-2:]
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(raw: str) -> str:
    """A phone number where it is shown or logged without need: the first 3 and the last 4
    characters, stars between (138****5678). Spaces and dashes are dropped first; numbers of 8
    characters or fewer keep only their last 2; an empty one stays empty."""
    number = re.sub(r"[\s-]+", "", raw or "")
    if len(number) <= 8:
        return "*" * max(len(number) - 2, 0) + number[-2:]
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
