"""The small token language of ``redflags.yaml`` patterns, compiled to spaCy Matcher patterns.

One token per space::

    word          one token, in its normalised form
    a|b|c         any one of these tokens (an alternative may be a @set)
    word? / a|b?  the token is optional
    #bignum       a number of two or more digits
    @set          any token of a named word set
    <0-3>         0 to 3 other tokens, never crossing the end of a sentence (``gap_breaks``)

Example: ``"face|mouth <0-3> drooping|dropped"`` matches "my husband's face has dropped".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from api.safety.rules import RulesError

_GAP = re.compile(r"^<(\d+)-(\d+)>$")
MAX_GAP = 10


@dataclass(frozen=True)
class CompiledPattern:
    """A spaCy Matcher pattern and the words it names (fuzzy-correction targets)."""

    tokens: list[dict[str, Any]]
    words: frozenset[str]
    required: tuple[frozenset[str], ...]
    """For each required token, the words it accepts."""


def compile_pattern(
    source: str,
    *,
    literal: Callable[[str], str],
    word_sets: Mapping[str, Collection[str]],
) -> CompiledPattern:
    """Compile one pattern of the token language.

    Args:
        source: The pattern as written in the data file.
        literal: Normalises one written word; raises ``RulesError`` if it is not one token.
        word_sets: Named sets for ``@name`` tokens, already normalised.

    Returns:
        The Matcher pattern.

    Raises:
        RulesError: If the pattern is malformed.
    """
    parts = source.split()
    if not parts:
        raise RulesError(f"empty pattern {source!r}")
    tokens: list[dict[str, Any]] = []
    words: set[str] = set()
    required: list[frozenset[str]] = []
    for position, part in enumerate(parts):
        gap = _GAP.match(part)
        if gap:
            low, high = int(gap.group(1)), int(gap.group(2))
            if low > high or high > MAX_GAP or position in (0, len(parts) - 1):
                raise RulesError(f"bad gap {part!r} in {source!r}")
            # The screen marks each sentence break, and the word after it, as a sentence start:
            # a gap may not take either, so it never crosses a sentence. (A token attribute is
            # much cheaper for the Matcher than a NOT_IN set.)
            tokens.append({"IS_SENT_START": False, "OP": f"{{{low},{high}}}"})
            continue
        if part == "#bignum":  # "I took 30 paracetamol"; "2 paracetamol" is a normal dose
            tokens.append({"IS_DIGIT": True, "LENGTH": {">=": 2}})
            required.append(frozenset())
            continue
        optional = len(part) > 1 and part.endswith("?")
        if optional:
            part = part[:-1]
        options_set: set[str] = set()
        for alternative in part.split("|"):
            if not alternative:
                raise RulesError(f"empty alternative in {part!r} of {source!r}")
            if alternative.startswith("@"):
                if alternative[1:] not in word_sets:
                    raise RulesError(f"unknown word set {alternative!r} in {source!r}")
                options_set.update(word_sets[alternative[1:]])
            else:
                options_set.add(literal(alternative))
        options = sorted(options_set)
        spec: dict[str, Any] = (
            {"LOWER": options[0]} if len(options) == 1 else {"LOWER": {"IN": options}}
        )
        if optional:
            spec["OP"] = "?"
        else:
            required.append(frozenset(options))
        tokens.append(spec)
        words.update(options)
    if not required:
        raise RulesError(f"pattern {source!r} needs at least one required word")
    return CompiledPattern(tokens=tokens, words=frozenset(words), required=tuple(required))


def anchor(compiled: CompiledPattern, common: Collection[str]) -> frozenset[str]:
    """Words of which every match must contain one: the rarest-looking required token.

    A sentence with none of a pattern's anchor words cannot match it, so the Matcher can skip it.
    Tokens whose words are all uncommon are preferred, then the smallest set.
    """
    named = [words for words in compiled.required if words]  # "#bignum" names no word
    return min(named, key=lambda words: (bool(words & set(common)), len(words)))


def expand_first(tokens: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """One pattern per alternative of a required first token.

    The Matcher tries every pattern's first token at every word; a plain ``LOWER`` test runs in
    C, an ``IN`` set is a Python call, so this makes long messages about ten times faster.
    """
    first = tokens[0]
    options = first.get("LOWER")
    if "OP" in first or not isinstance(options, dict) or "IN" not in options:
        return [tokens]
    return [[{"LOWER": option}, *tokens[1:]] for option in options["IN"]]
