"""The urgency rules: read from the data file, applied to category and text, reasons shown as written."""

from __future__ import annotations

import pytest

from schoolsafe.tips.urgency import assess, parse_rules, rulebook


def reasons(category: str, text: str) -> dict[str, str]:
    return {r["rule"]: r["match"] for r in assess(category, [text]).reasons}


def test_life_safety_categories_are_urgent_on_their_own():
    for category in ("planned_attack", "weapon", "self_harm"):
        verdict = assess(category, ["no details"])
        assert verdict.urgent and verdict.life_safety and reasons(category, "x") == {"life_safety_category": category}
    assert not assess("bullying", ["they call him names"]).urgent


@pytest.mark.parametrize(("text", "rule", "match"), [
    ("He said he would do it tomorrow", "time_soon", "tomorrow"),
    ("Va a pasar MAÑANA en la cafetería", "time_soon", "MAÑANA"),
    ("va a pasar manana", "time_soon", "manana"),
    ("dice que hoy trae algo", "time_soon", "hoy"),
    ("he has a Gun in his backpack", "weapon_words", "Gun"),
    ("talking about shooting people", "weapon_words", "shooting"),
    ("tiene una pistola", "weapon_words", "pistola"),
])
def test_time_and_weapon_words_make_a_tip_urgent_with_the_word_shown(text, rule, match):
    verdict = assess("bullying", [text])
    assert verdict.urgent
    assert reasons("bullying", text)[rule] == match


def test_words_match_whole_words_only():
    assert reasons("other", "the shogun movie; hoyos en la pared; todays") == {}


def test_the_rules_file_is_checked():
    book = rulebook()
    assert book.escalate_after.total_seconds() == 300
    with pytest.raises(ValueError, match=r"rules\[0\]\.kind"):
        parse_rules({"rules": [{"id": "x", "kind": "regex", "reason": "r"}]})
    with pytest.raises(ValueError, match=r"rules\[0\]\.words is empty"):
        parse_rules({"rules": [{"id": "x", "kind": "words", "words": [], "reason": "r"}]})
