"""The in-memory index of suspended accounts (prefix filtering) finds exactly the pairs a
comparison of every pair would: checked against brute force on random handles."""

import random

import pytest

from referrals.engine.folding import fold_name, similarity, trigrams
from referrals.surfacing.services.lookalike import _grams, _limit, _PrefixIndex

ALPHABET = "aabcdeehiklmnorstuy"


def handles(rng: random.Random, n: int) -> list[str]:
    """Short words from a small alphabet, with near copies of one another: many similar pairs."""
    out = []
    for _ in range(n):
        if out and rng.random() < 0.5:
            word = list(rng.choice(out))
            for _edit in range(rng.randint(0, 2)):
                at = rng.randrange(len(word) + 1)
                if rng.random() < 0.5 and len(word) > 1:
                    del word[min(at, len(word) - 1)]
                else:
                    word.insert(at, rng.choice(ALPHABET))
            out.append("".join(word))
        else:
            out.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 14))))
    return out


@pytest.mark.parametrize("threshold", [0, 30, 60, 75, 85, 95, 100])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_index_finds_every_pair_as_similar_as_the_threshold_and_no_other(threshold, seed):
    rng = random.Random(seed)
    words = handles(rng, 400)
    indexed = words[:300] + [" ".join(rng.sample(words, rng.randint(2, 3))) for _ in range(100)]  # and names
    queries = handles(rng, 100) + indexed[:25] + indexed[-25:]
    index = _PrefixIndex([(n, "x", value) for n, value in enumerate(indexed)], _limit(threshold))
    limit = _limit(threshold)

    for query in queries:
        # Whatever the threshold, a pair without a trigram in common is no look-alike.
        expected = {
            n
            for n, value in enumerate(indexed)
            if similarity(query, value) >= limit and trigrams(query) & trigrams(value)
        }
        assert set(index.near("x", query)) == expected, query
        assert index.near("telegram", query) == []


@pytest.mark.parametrize("seed", [1, 2])
def test_the_index_s_trigrams_are_the_engine_s_for_folded_values(seed):
    rng = random.Random(seed)
    for value in handles(rng, 300):
        name = fold_name(" ".join(rng.sample(handles(rng, 5), rng.randint(1, 3))))
        assert _grams(value) == trigrams(value)
        assert _grams(name) == trigrams(name)
    assert _grams("") == trigrams("") == set()
