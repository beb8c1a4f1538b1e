"""Fitting a message into one SMS: GSM-7 when every character allows it, else UCS-2, cut with an ellipsis.

One SMS carries 160 characters of the GSM 03.38 default alphabet (7 bits each), or 70 UTF-16 code units
when any character falls outside it (UCS-2, 16 bits each). A longer text is split by the gateway into
segments that phones may show out of order or late, and each segment is billed; during an emergency the
first words must arrive together, so we send exactly one segment and cut the rest. Typographic quotes,
dashes and ellipses are replaced by their plain forms first: one curly apostrophe from a word processor
would otherwise halve the room (UCS-2).
"""

from __future__ import annotations

from collections.abc import Callable

GSM_SINGLE_LIMIT = 160
UCS2_SINGLE_LIMIT = 70

# GSM 03.38 basic character set (the escape character 0x1B is not a character of its own).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs two septets (escape + character).
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM_ELLIPSIS = "..."
UCS2_ELLIPSIS = "…"

_PLAIN = str.maketrans({
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
    "“": '"', "”": '"', "„": '"', "″": '"',
    "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\t": " ",
    "•": "*",
})


def plain(text: str) -> str:
    """Typographic punctuation replaced by plain ASCII, the ellipsis by three dots, whitespace collapsed."""
    text = text.translate(_PLAIN).replace("…", "...")
    return " ".join(text.split())


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def gsm7_length(text: str) -> int:
    """Septets `text` takes in the GSM 7-bit alphabet (extension characters take two)."""
    return sum(_septets(ch) for ch in text)


def ucs2_length(text: str) -> int:
    """UTF-16 code units `text` takes (a character beyond the BMP, such as an emoji, takes two)."""
    return len(text.encode("utf-16-le")) // 2


def _septets(ch: str) -> int:
    return 2 if ch in GSM7_EXTENSION else 1


def _cut(text: str, budget: int, cost: Callable[[str], int]) -> str:
    """The longest prefix of `text` costing at most `budget`, ended at a word boundary when that loses
    little (at most 15 characters), without trailing spaces or punctuation that would dangle."""
    used, end = 0, 0
    for index, ch in enumerate(text):
        c = cost(ch)
        if used + c > budget:
            break
        used += c
        end = index + 1
    prefix = text[:end]
    space = prefix.rfind(" ")
    if end < len(text) and text[end] != " " and space >= 0 and end - space <= 15:
        prefix = prefix[:space]
    return prefix.rstrip(" ,;:-")


def fit_sms(text: str) -> str:
    """`text` made to fit one SMS: plain punctuation, then cut with an ellipsis if still too long."""
    text = plain(text)
    if is_gsm7(text):
        if gsm7_length(text) <= GSM_SINGLE_LIMIT:
            return text
        return _cut(text, GSM_SINGLE_LIMIT - gsm7_length(GSM_ELLIPSIS), _septets) + GSM_ELLIPSIS
    if ucs2_length(text) <= UCS2_SINGLE_LIMIT:
        return text
    # The first non-GSM character may lie beyond what one GSM-7 message could hold anyway: then the cut
    # removes it, and the message keeps 160 characters instead of 70.
    first_other = next(i for i, ch in enumerate(text) if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION)
    gsm_budget = GSM_SINGLE_LIMIT - gsm7_length(GSM_ELLIPSIS)
    if gsm7_length(text[:first_other]) > gsm_budget:
        return _cut(text, gsm_budget, _septets) + GSM_ELLIPSIS
    budget = UCS2_SINGLE_LIMIT - ucs2_length(UCS2_ELLIPSIS)
    return _cut(text, budget, lambda ch: 2 if ord(ch) > 0xFFFF else 1) + UCS2_ELLIPSIS


def sms_units(text: str) -> tuple[str, int, int]:
    """The encoding one SMS would use for `text`, its length in that encoding's units, and the limit."""
    if is_gsm7(text):
        return "GSM-7", gsm7_length(text), GSM_SINGLE_LIMIT
    return "UCS-2", ucs2_length(text), UCS2_SINGLE_LIMIT
