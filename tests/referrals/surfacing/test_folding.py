"""Folding handles and display names, and scoring how alike two are (SPEC §14): the look-alike
detector's arithmetic, which PostgreSQL's pg_trgm and the Python fallback share."""

import pytest

from referrals.engine.folding import fold_handle, fold_name, score, similarity, trigrams

CYRILLIC_A, CYRILLIC_O = "\u0430", "\u043e"


@pytest.mark.parametrize(
    ("handle", "folded"),
    [
        ("abu_muhammad", "abumuhammad"),
        ("Abu_Muhammad", "abumuhammad"),  # case
        ("ABU.MUHAMMAD", "abumuhammad"),  # case, separator .
        ("abu-muhammad", "abumuhammad"),  # separator -
        ("abu__muhammad", "abumuhammad"),  # separator _, doubled
        ("@abu_muhammad", "abumuhammad"),  # '@'
        ("abu_muhammad_7", "abumuhammad"),  # trailing counter
        ("abu.muhammad8", "abumuhammad"),
        ("abu_muhammad_2024", "abumuhammad"),
        ("abu7muhammad", "abu7muhammad"),  # a digit inside is no counter
        (f"{CYRILLIC_A}bu_muh{CYRILLIC_A}mm{CYRILLIC_A}d", "abumuhammad"),  # Cyrillic а
        (f"m{CYRILLIC_O}hammed", "mohammed"),  # Cyrillic о
        ("ａｂｕ＿ｍｕｈａｍｍａｄ", "abumuhammad"),  # full-width letters and underscore
        ("100004512345678", ""),  # a numeric id
        ("@", ""),
    ],
)
def test_a_handle_is_folded_to_what_ban_evasion_does_not_change(handle, folded):
    assert fold_handle(handle) == folded


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Abu Muhammad", "abu muhammad"),
        ("ABU   MUHAMMAD", "abu muhammad"),
        ("Abu_Muhammad", "abu muhammad"),
        ("Abu.Muhammad-7", "abu muhammad"),
        ("Abu Muḥammad (Official) 2", "abu muhammad official"),
        (f"{CYRILLIC_A}bu Muh{CYRILLIC_A}mmad", "abu muhammad"),
        ("", ""),
    ],
)
def test_a_display_name_is_folded_to_its_words(name, folded):
    assert fold_name(name) == folded


def test_trigrams_are_pg_trgm_s_each_word_padded_two_spaces_before_one_after():
    assert trigrams("abc") == {"  a", " ab", "abc", "bc "}
    assert trigrams("ab cd") == {"  a", " ab", "ab ", "  c", " cd", "cd "}
    assert trigrams("") == frozenset()


# Worked by hand from the definition: |shared trigrams| / |trigrams of either|.
@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("abumuhammad", "abumuhammad", 100),
        # {  a, ab, abc, bc } and {  a, ab, abd, bd }: 2 shared of 6
        ("abc", "abd", 33),
        # 12 and 11 trigrams, 10 shared ("amm", "mma" against "ama"): 10 / 13
        ("abumuhammad", "abumuhamad", 77),
        # {  w, wo, wor, ord, rd } and {  w, wo, wor, ord, rds, ds }: 4 of 7
        ("word", "words", 57),
        # a repeated trigram counts once: {  a, aa, aaa, aa } and {  a, aa, aa }: 3 of 4
        ("aaaa", "aa", 75),
        ("abc", "xyz", 0),
        # words are trigrammed each on its own, so their order does not matter
        ("abu muhammad", "muhammad abu", 100),
        ("", "abc", 0),
        ("", "", 0),
    ],
)
def test_the_score_is_the_trigram_similarity_in_whole_percent(a, b, expected):
    assert score(a, b) == expected
    assert score(b, a) == expected


def test_the_similarity_is_a_fraction_and_the_score_rounds_it():
    assert similarity("abumuhammad", "abumuhamad") == pytest.approx(10 / 13)
    assert score("abumuhammad", "abumuhamad") == round(100 * 10 / 13)
