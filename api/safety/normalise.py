"""Turn a message into the normalised word sequence the red-flag matchers run over.

Patients write "cnt brethe", "chst pain", "my hubby's face has dropped". Each token from spaCy's
blank English tokenizer becomes its NORM form ("can't" -> "can" "not"), then goes through the
reviewed spelling map ("cnt" -> "can not", "kms" -> "kill myself"), and a token the phrase lists
do not know may be corrected to a phrase-list word one edit away (two for long words). Phrases
and patterns go through the same steps (without the fuzzy step), so both sides meet in the middle.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import OSA

from api.safety.rules import FuzzyPolicy

if TYPE_CHECKING:
    from spacy.tokens import Doc

# Dashes join words ("non-blanching", "self-harm"); matching treats them as spaces.
_DROPPED = frozenset({"-", "–", "—", "_", "~", "*", "‐"})
_RUN = re.compile(r"([a-z])\1{2,}")
NEWLINE = "."
"""A line break ends a sentence: it is emitted as a full stop."""

_CACHE_LIMIT = 50_000


@dataclass(frozen=True)
class Words:
    """Normalised words, and for each the index of the spaCy token it came from."""

    words: list[str]
    token_index: list[int]


class Normaliser:
    """Normalises tokens: NORM form, spelling map, then a careful fuzzy correction."""

    def __init__(
        self,
        *,
        spelling: Mapping[str, str],
        vocabulary: Iterable[str],
        known: Iterable[str],
        policy: FuzzyPolicy,
    ) -> None:
        """Prepare the normaliser.

        Args:
            spelling: Reviewed rewrites, one token to one or more words.
            vocabulary: The words of the phrase lists (fuzzy targets).
            known: Words that are never corrected (stop words, cue words, ``never_fuzz``).
            policy: How far a correction may reach.
        """
        self._spelling = {key: tuple(value.split()) for key, value in spelling.items()}
        self._policy = policy
        vocab = set(vocabulary)
        self._known = frozenset(vocab | set(known) | set(self._spelling))
        targets = sorted(
            word for word in vocab | set(self._spelling)
            if len(word) >= policy.min_length and word.isalpha()
        )
        self._targets: dict[str, list[str]] = {}
        for word in targets:
            self._targets.setdefault(word[0] if policy.same_first_letter else "", []).append(word)
        self._cache: dict[str, str] = {}

    def words(self, doc: Doc, *, fuzzy: bool = True) -> Words:
        """Normalise a tokenised text.

        Args:
            doc: Tokens from the blank English pipeline's ``make_doc``.
            fuzzy: Correct unknown tokens (messages yes, reviewed phrases no).

        Returns:
            The normalised words with their token indexes.
        """
        out: list[str] = []
        index: list[int] = []
        for token in doc:
            if token.is_space:
                if "\n" in token.text and out and out[-1] != NEWLINE:
                    out.append(NEWLINE)
                    index.append(token.i)
                continue
            for word in self.token(token.norm_, fuzzy=fuzzy):
                out.append(word)
                index.append(token.i)
        return Words(out, index)

    def token(self, norm: str, *, fuzzy: bool = True) -> tuple[str, ...]:
        """Normalise one token's NORM form into zero or more words."""
        word = norm.lower().replace("’", "'").replace("‘", "'")
        if word in _DROPPED:
            return ()
        if len(word) > 2:
            word = _RUN.sub(r"\1\1", word)
        mapped = self._spelling.get(word)
        if mapped is not None:
            return mapped
        if fuzzy and self._should_correct(word):
            word = self._correct(word)
            mapped = self._spelling.get(word)
            if mapped is not None:
                return mapped
        return (word,)

    def _should_correct(self, word: str) -> bool:
        return (
            self._policy.min_length <= len(word) <= self._policy.max_token_length
            and word.isalpha()
            and word not in self._known
        )

    def _correct(self, word: str) -> str:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        key = word[0] if self._policy.same_first_letter else ""
        limit = 2 if len(word) >= self._policy.long_from else 1
        best = process.extractOne(
            word, self._targets.get(key, ()), scorer=OSA.distance, score_cutoff=limit
        )
        corrected = best[0] if best is not None else word
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()  # bounded memory; misses are cheap
        self._cache[word] = corrected
        return corrected
