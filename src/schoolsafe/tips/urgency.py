"""Urgency rules: which tips jump the queue, and the reason an analyst is shown.

The rules are data (tips/data/urgency_rules.json), not code: the tip line's leads change a word list
without a release. This module only reads and applies them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).resolve().parent / "data" / "urgency_rules.json"


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    weight: int
    reason: str
    categories: frozenset[str]
    pattern: re.Pattern[str] | None


@dataclass(frozen=True)
class RuleBook:
    """The parsed rules file."""

    rules: tuple[Rule, ...]
    life_safety_categories: frozenset[str]
    escalate_after: timedelta
    deadline_urgent: timedelta
    deadline_normal: timedelta
    urgent_from_score: int


@dataclass(frozen=True)
class Assessment:
    """What the rules say about one tip."""

    urgent: bool
    score: int
    reasons: list[dict[str, str]]
    life_safety: bool


def fold(text: str) -> str:
    """Lower case without accents, so 'Mañana' and 'manana' match the same rule."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """`fold(text)` and, for each character of it, the index of the original character it came from
    (so a match can be shown as the tipster wrote it)."""
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        folded = fold(ch)
        out.append(folded)
        origin.extend([index] * len(folded))
    return "".join(out), origin


def _word_pattern(words: list[str]) -> re.Pattern[str]:
    parts = []
    for word in words:
        folded = fold(word.strip())
        if folded.endswith("*"):
            parts.append(re.escape(folded[:-1]) + r"\w*")
        else:
            parts.append(re.escape(folded))
    # Longest first, so "kill myself" is reported rather than a shorter overlap.
    parts.sort(key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(parts) + r")(?!\w)")


def parse_rules(raw: dict[str, Any]) -> RuleBook:
    """Build a RuleBook from the JSON structure (ValueError naming the bad entry if malformed)."""
    rules = []
    for index, item in enumerate(raw.get("rules", [])):
        kind = item.get("kind")
        if kind not in ("category", "words"):
            raise ValueError(f"rules[{index}].kind must be 'category' or 'words', not {kind!r}")
        words = item.get("words", [])
        if kind == "words" and not words:
            raise ValueError(f"rules[{index}].words is empty")
        rules.append(Rule(
            id=str(item["id"]), kind=kind, weight=int(item.get("weight", 0)), reason=str(item["reason"]),
            categories=frozenset(item.get("categories", [])),
            pattern=_word_pattern(words) if kind == "words" else None,
        ))
    hours = raw.get("deadline_hours", {})
    return RuleBook(
        rules=tuple(rules),
        life_safety_categories=frozenset(raw.get("life_safety_categories", [])),
        escalate_after=timedelta(minutes=float(raw.get("escalate_unclaimed_after_minutes", 5))),
        deadline_urgent=timedelta(hours=float(hours.get("urgent", 1))),
        deadline_normal=timedelta(hours=float(hours.get("normal", 72))),
        urgent_from_score=int(raw.get("urgent_from_score", 50)),
    )


@lru_cache(maxsize=1)
def rulebook() -> RuleBook:
    """The rules in force (read once per process)."""
    return parse_rules(json.loads(RULES_FILE.read_text(encoding="utf-8")))


def assess(category: str, texts: list[str], book: RuleBook | None = None) -> Assessment:
    """Apply the rules to a tip's category and free text."""
    book = book or rulebook()
    original = "\n".join(t for t in texts if t)
    folded, origin = fold_with_map(original)
    score = 0
    reasons: list[dict[str, str]] = []
    for rule in book.rules:
        if rule.kind == "category":
            if category in rule.categories:
                score += rule.weight
                reasons.append({"rule": rule.id, "reason": rule.reason, "match": category})
        elif rule.pattern is not None:
            found = sorted({
                original[origin[m.start(1)]:origin[m.end(1) - 1] + 1] for m in rule.pattern.finditer(folded)
            }, key=str.casefold)
            if found:
                score += rule.weight
                reasons.append({"rule": rule.id, "reason": rule.reason, "match": ", ".join(found[:5])})
    return Assessment(
        urgent=score >= book.urgent_from_score,
        score=score,
        reasons=reasons,
        life_safety=category in book.life_safety_categories,
    )
