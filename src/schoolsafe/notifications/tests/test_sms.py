"""Messages cut to one SMS: 160 GSM-7 characters, or 70 UCS-2 units when a character needs it."""

from __future__ import annotations

import pytest

from schoolsafe.notifications.sms import fit_sms, gsm7_length, is_gsm7, sms_units, ucs2_length

LOCKDOWN = ("LOCKDOWN at Lincoln High School: Locks, lights, out of sight. Raised by Ms. Ortiz in room 114, "
            "building B. Police are on the way. Do not open the doors for anyone until the all clear is given.")


def test_a_short_message_is_sent_as_it_is():
    assert fit_sms("HOLD at Lincoln High: in your room or area, clear the halls.") == (
        "HOLD at Lincoln High: in your room or area, clear the halls.")


def test_exactly_160_gsm_characters_fit_without_a_cut():
    text = "x" * 160
    assert fit_sms(text) == text


def test_a_long_gsm_message_is_cut_to_160_with_three_dots_at_a_word_boundary():
    assert len(LOCKDOWN) > 160
    cut = fit_sms(LOCKDOWN)
    assert cut.endswith("...")
    assert is_gsm7(cut) and gsm7_length(cut) <= 160
    assert LOCKDOWN.startswith(cut[:-3])
    # Cut between words, not inside one.
    assert LOCKDOWN[len(cut) - 3] == " "
    assert cut == ("LOCKDOWN at Lincoln High School: Locks, lights, out of sight. Raised by Ms. Ortiz in room 114, "
                   "building B. Police are on the way. Do not open the doors for...")


def test_a_word_longer_than_the_margin_is_cut_inside_it():
    cut = fit_sms("y" * 400)
    assert cut == "y" * 157 + "..."
    assert gsm7_length(cut) == 160


def test_extension_characters_count_twice():
    # "€" and "[" are in GSM-7's extension table: escape + character, two septets each.
    text = "€" * 100
    cut = fit_sms(text)
    assert is_gsm7(cut) and gsm7_length(cut) <= 160
    assert cut == "€" * 78 + "..."


def test_typographic_punctuation_keeps_the_message_in_gsm7():
    text = "Ms. O’Neil says: “stay put” – the all clear… follows" + " and more words" * 10
    cut = fit_sms(text)
    assert sms_units(cut)[0] == "GSM-7"
    assert cut.startswith("Ms. O'Neil says: \"stay put\" - the all clear... follows")
    assert gsm7_length(cut) <= 160


def test_a_message_in_cyrillic_is_cut_to_70_ucs2_units_with_an_ellipsis():
    text = "Тревога: блокировка школы номер 5, все остаются в классах, двери закрыты, ждите указаний полиции"
    cut = fit_sms(text)
    assert not is_gsm7(cut)
    assert ucs2_length(cut) <= 70
    assert cut.endswith("…")
    assert cut == "Тревога: блокировка школы номер 5, все остаются в классах, двери…"


def test_an_emoji_takes_two_ucs2_units_and_is_never_split():
    cut = fit_sms("🚨" * 60)
    assert ucs2_length(cut) <= 70
    assert cut == "🚨" * 34 + "…"
    cut.encode("utf-8")  # a lone surrogate would not encode


def test_a_non_gsm_character_beyond_the_cut_does_not_shrink_the_message_to_70():
    text = "z" * 200 + " 🚨"
    cut = fit_sms(text)
    assert cut == "z" * 157 + "..."


@pytest.mark.parametrize("text", ["Läuft: ñ, ü, à, é, Ø, Å, ß, ¿, ¡, £, ¥, §", "a{b}c[d]e~f|g\\h^i"])
def test_characters_of_the_gsm_alphabet_stay_gsm(text):
    assert sms_units(fit_sms(text))[0] == "GSM-7"


def test_whitespace_and_line_breaks_are_collapsed():
    assert fit_sms("LOCKDOWN\n\n  Room   114\t now") == "LOCKDOWN Room 114 now"
