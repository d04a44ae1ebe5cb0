"""The deterministic red-flag screen, run on every inbound message before the NLU.

``RedFlagScreen.load()`` reads the reviewed content (``api/safety/data/redflags.yaml``) and builds
spaCy matchers on a blank English pipeline; the composition root calls it once. ``check(text)``
then says whether the message describes an emergency happening now, and what to tell the patient.

How a message is judged:

1. The text is normalised (Unicode NFKC, invisible characters removed) and cut to ``max_chars``;
   long text is screened in overlapping chunks.
2. Tokens become normalised words (``api.safety.normalise``): NORM forms, the reviewed spelling
   map, careful fuzzy correction ("chst" -> "chest").
3. A PhraseMatcher (phrases) and a Matcher (token patterns) find candidate red flags; reviewed
   exclusions drop overlapping everyday uses ("collapsed lung").
4. Each candidate is judged in its clause and sentence: negated ("I don't have chest pain"),
   history ("my dad had a stroke in 2010"), or a question about the record text
   ("what does 'chest pain' on my 2019 record mean") clears it -- unless the sentence also says
   it is happening now, or the negation is unsure ("I don't know if it's chest pain"). When in
   doubt the candidate stays a red flag.
5. Any candidate left standing makes the message a red flag; the reported category is the
   highest-priority one, and the signposting of every flagged category is returned, 999 first.

The result carries the patient's words (``phrase``); never log it. ``repr`` leaves it out.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.safety.normalise import NEWLINE, Normaliser
from api.safety.patterns import anchor, compile_pattern, expand_first
from api.safety.rules import Category, Rules, RulesError, load_rules

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.matcher import Matcher, PhraseMatcher
    from spacy.tokens import Doc

log = logging.getLogger("plainrecord.safety")

FLAG = "flag"
NEGATED = "negated"
HISTORY = "history"
RECORD_QUESTION = "record_question"
EXCLUDED = "excluded"

DEFAULT_MAX_CHARS = 200_000
"""Longest text screened; the rest of a longer text is not screened (``truncated``)."""
CHUNK_CHARS = 4_000
OVERLAP_CHARS = 400

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_YEAR = re.compile(r"^(?:\d{1,2}[/.-]\d{1,2}[/.-])?(?:19|20)\d\d$")
_CUE_KINDS = ("pseudo_negations", "uncertainty_cues", "history_cues", "present_cues",
              "recurrence_cues", "record_cues", "current_cues")


@dataclass(frozen=True)
class ScreenMatch:
    """One candidate red flag and how its context judged it."""

    category: str
    rule: str
    """The phrase or pattern, as written in the data file."""
    phrase: str = field(repr=False)
    """The patient's own words that matched (patient text: never log)."""
    start: int
    end: int
    status: str
    """``flag``, ``negated``, ``history``, ``record_question`` or ``excluded``."""
    detail: str = ""
    """Why, in words of the data file (never patient text)."""


@dataclass(frozen=True)
class ScreenResult:
    """The screen's verdict on one message (see docs/CONTRACTS.md, "Red-flag screen")."""

    red_flag: bool
    category: str | None
    phrase: str | None = field(repr=False)
    signposting: list[str]
    reason: str = "no match"
    """A short explanation without patient text, safe to log."""
    matches: tuple[ScreenMatch, ...] = field(default=(), repr=False)
    """Every candidate found, flagged or cleared (for review tools; contains patient text)."""
    truncated: bool = False


@dataclass
class _Chunk:
    """One screened piece of text, normalised, with its clause and sentence structure."""

    words: list[str]
    clause: list[int]
    sentence: list[int]
    clause_bounds: dict[int, tuple[int, int]]
    sentence_bounds: dict[int, tuple[int, int]]
    cues: dict[str, list[tuple[int, int]]]
    exclusions: dict[str, list[tuple[int, int]]]
    candidates: list[tuple[int, int]] = field(default_factory=list)


class RedFlagScreen:
    """Screens messages for red flags with reviewed phrases and patterns. Build with ``load``."""

    def __init__(
        self,
        rules: Rules,
        *,
        max_chars: int = DEFAULT_MAX_CHARS,
        chunk_chars: int = CHUNK_CHARS,
        overlap_chars: int = OVERLAP_CHARS,
    ) -> None:
        """Compile the rules into matchers (slow: about a second; do it once).

        Args:
            rules: The checked content of the data file.
            max_chars: Longest text screened.
            chunk_chars: Long text is screened in chunks this long...
            overlap_chars: ...overlapping by this much, so no phrase is cut in two.

        Raises:
            RulesError: If a phrase or pattern cannot be compiled.
        """
        import spacy
        from spacy.lang.en.stop_words import STOP_WORDS
        from spacy.matcher import Matcher, PhraseMatcher

        if not 0 < 2 * overlap_chars < chunk_chars:
            raise ValueError("overlap_chars must be positive and under half of chunk_chars")
        self.rules = rules
        self.max_chars = max_chars
        self._chunk_chars = chunk_chars
        self._overlap_chars = overlap_chars
        self._nlp: Language = spacy.blank("en")
        ctx = rules.context
        plain = Normaliser(spelling=rules.spelling, vocabulary=(), known=(), policy=rules.fuzzy)

        def words_of(text: str) -> list[str]:
            return plain.words(self._nlp.make_doc(text), fuzzy=False).words

        def literal(word: str) -> str:
            normalised = words_of(word)
            if len(normalised) != 1:
                raise RulesError(f"{word!r} is not one token once normalised: {normalised}")
            return normalised[0]

        def lower_set(key: str) -> frozenset[str]:
            return frozenset(str(item).lower() for item in ctx[key])

        self._clause_breaks = lower_set("clause_breaks") | lower_set("sentence_breaks") | {NEWLINE}
        self._sentence_breaks = lower_set("sentence_breaks") | {NEWLINE}
        self._gap_breaks = lower_set("gap_breaks") | {NEWLINE}
        self._negation_cues = {str(k).lower(): int(v) for k, v in ctx["negation_cues"].items()}
        self._max_negation_window = max(self._negation_cues.values(), default=0)
        self._terminators = lower_set("negation_terminators")
        self._list_words = lower_set("negation_list_words")
        self._list_extension = int(ctx["negation_list_extension"])
        self._history_units = lower_set("history_units")
        self._ongoing = lower_set("ongoing_words")
        self._question_words = lower_set("question_words")
        self._question_fillers = lower_set("question_fillers")
        self._meaning_words = lower_set("meaning_words")
        self._quote_marks = lower_set("quote_marks")
        self._cue_clause_max = int(ctx["cue_clause_max_words"])

        word_sets = {
            name: tuple(sorted({literal(word) for word in words}))
            for name, words in rules.word_sets.items()
        }
        vocabulary: set[str] = {w for words in word_sets.values() for w in words}
        self._phrases: PhraseMatcher = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        self._matcher: Matcher = Matcher(self._nlp.vocab)
        self._cue_matcher: PhraseMatcher = PhraseMatcher(self._nlp.vocab, attr="LOWER")
        self._keys: dict[int, tuple[str, str, str]] = {}
        excluded_words: set[str] = set()
        self._anchors: frozenset[str] = frozenset()
        """A sentence with none of these words cannot match any pattern: the Matcher skips it."""
        negation_words = frozenset(self._negation_cues)
        self._negating_rules: set[tuple[str, str]] = set()
        """Rules that contain a negation themselves ("will not wake"); a negation inside any
        other match negates it ("my face is not drooping")."""

        def key(category: str, kind: str, rule: str) -> str:
            name = f"{category}\t{kind}\t{rule}"
            self._keys[self._nlp.vocab.strings.add(name)] = (category, kind, rule)
            return name

        for category in rules.categories:
            for phrase in category.phrases:
                words = words_of(phrase)
                if not words:
                    raise RulesError(f"{category.id}: empty phrase {phrase!r}")
                vocabulary.update(words)
                if set(words) & negation_words:
                    self._negating_rules.add((category.id, phrase))
                self._phrases.add(key(category.id, "phrase", phrase), [self._doc(words)])
            for kind, sources in (("pattern", category.patterns),
                                  ("exclusion", category.exclusions)):
                for source in sources:
                    try:
                        compiled = compile_pattern(
                            source, literal=literal, word_sets=word_sets
                        )
                    except RulesError as error:
                        raise RulesError(f"{category.id}: {kind} {source!r}: {error}") from error
                    # Exclusion words are real words to keep ("shaving" must not become
                    # "shaking"); pattern words are also targets for correction.
                    (vocabulary if kind == "pattern" else excluded_words).update(compiled.words)
                    if kind == "pattern" and compiled.words & negation_words:
                        self._negating_rules.add((category.id, source))
                    self._matcher.add(key(category.id, kind, source),
                                      expand_first(compiled.tokens))
                    self._anchors |= anchor(compiled, STOP_WORDS)
        cue_words: set[str] = set(self._negation_cues) | self._terminators | self._history_units
        for kind in _CUE_KINDS:
            docs = []
            for cue in ctx[kind]:
                words = words_of(str(cue))
                cue_words.update(words)
                docs.append(self._doc(words))
            self._cue_matcher.add(kind, docs)
        self._normaliser = Normaliser(
            spelling=rules.spelling,
            vocabulary=vocabulary,
            known=set(STOP_WORDS) | cue_words | excluded_words | rules.never_fuzz,
            policy=rules.fuzzy,
        )
        self._priority = {category.id: i for i, category in enumerate(rules.categories)}
        self._categories = {category.id: category for category in rules.categories}
        log.info(
            "red-flag screen built: version=%s categories=%d phrases=%d patterns=%d review=%s",
            rules.version, len(rules.categories),
            sum(len(c.phrases) for c in rules.categories),
            sum(len(c.patterns) for c in rules.categories), rules.review.status,
        )

    @classmethod
    def load(cls, path: Path | None = None, **options: Any) -> RedFlagScreen:
        """Build the screen from the packaged data file (or ``path``, a draft under review).

        Args:
            path: A data file to use instead of the packaged one.
            **options: ``max_chars``, ``chunk_chars``, ``overlap_chars``.

        Returns:
            A ready screen. Building takes about a second: call this once, in the composition root.
        """
        return cls(load_rules(path), **options)

    def check(self, text: str) -> ScreenResult:
        """Screen one message.

        Args:
            text: The patient's message, as typed (any length; only ``max_chars`` are screened).

        Returns:
            The verdict. ``red_flag`` is true if any candidate was not cleared by its context.
        """
        clean = unicodedata.normalize("NFKC", text or "").translate(_INVISIBLE)
        truncated = len(clean) > self.max_chars
        if truncated:
            clean = clean[: self.max_chars]
        found: dict[tuple[str, int, int], ScreenMatch] = {}
        recurrence = False
        for offset, chunk in _chunks(clean, self._chunk_chars, self._overlap_chars):
            matches, chunk_recurrence = self._screen_chunk(chunk, offset)
            recurrence = recurrence or chunk_recurrence
            for match in matches:
                seen = (match.category, match.start, match.end)
                if seen not in found or (match.status == FLAG and found[seen].status != FLAG):
                    found[seen] = match  # the same words seen in two chunks: a flag wins
        if recurrence:  # "I had a stroke in 2010 and it's happening again"
            found = {
                seen: replace(m, status=FLAG,
                              detail=f"{m.status} cue, but the message says it is back or now")
                if m.status in (HISTORY, RECORD_QUESTION) else m
                for seen, m in found.items()
            }
        ordered = tuple(sorted(found.values(),
                               key=lambda m: (self._priority[m.category], m.start, m.end)))
        return self._verdict(ordered, truncated, clean)

    def _verdict(
        self, matches: tuple[ScreenMatch, ...], truncated: bool, text: str
    ) -> ScreenResult:
        flagged = [m for m in matches if m.status == FLAG]
        note = f"; only the first {self.max_chars} characters were screened" if truncated else ""
        if not flagged:
            if matches:
                cleared = sorted({f"{m.status} {m.category}" for m in matches})
                reason = "cleared: " + ", ".join(cleared)
            else:
                reason = "no match"
            return ScreenResult(red_flag=False, category=None, phrase=None, signposting=[],
                                reason=reason + note, matches=matches, truncated=truncated)
        first = flagged[0]
        start, end = first.start, first.end  # grow it over overlapping matches of its category
        for match in sorted((m for m in flagged if m.category == first.category),
                            key=lambda m: m.start):
            if match.start <= end and match.end >= start:
                start, end = min(start, match.start), max(end, match.end)
        keys: list[str] = []
        for category_id in dict.fromkeys(m.category for m in flagged):
            for message in self._categories[category_id].signposting:
                if message not in keys:
                    keys.append(message)
        reason = f"{first.category}: {first.rule!r}"
        if first.detail:
            reason += f" ({first.detail})"
        return ScreenResult(
            red_flag=True,
            category=first.category,
            phrase=text[start:end],
            signposting=[self.rules.messages[k].text for k in keys],
            reason=reason + note,
            matches=matches,
            truncated=truncated,
        )

    # -- one chunk ------------------------------------------------------------------------------

    def _doc(self, words: Sequence[str], *, sentences: bool = False) -> Doc:
        from spacy.tokens import Doc

        if not sentences:
            return Doc(self._nlp.vocab, words=list(words))
        breaks = self._gap_breaks
        starts: list[bool | int | None] = [
            i == 0 or w in breaks or words[i - 1] in breaks for i, w in enumerate(words)
        ]
        return Doc(self._nlp.vocab, words=list(words), sent_starts=starts)

    def _screen_chunk(self, chunk: str, offset: int) -> tuple[list[ScreenMatch], bool]:
        doc = self._nlp.make_doc(chunk)
        normalised = self._normaliser.words(doc)
        words = normalised.words
        if not words:
            return [], False
        ndoc = self._doc(words, sentences=True)
        raw = list(self._phrases(ndoc))
        for a, b in self._candidate_sentences(words):
            raw.extend((match_id, a + s, a + e) for match_id, s, e in self._matcher(ndoc[a:b]))
        if not raw:
            return [], False
        cues: dict[str, list[tuple[int, int]]] = {kind: [] for kind in _CUE_KINDS}
        for match_id, start, end in self._cue_matcher(ndoc):
            cues[self._nlp.vocab.strings[match_id]].append((start, end))
        structure = self._structure(words, cues)
        shortest: dict[tuple[str, int], tuple[int, str]] = {}
        for match_id, start, end in raw:
            category, kind, rule = self._keys[match_id]
            if kind == "exclusion":
                structure.exclusions.setdefault(category, []).append((start, end))
                continue
            structure.candidates.append((start, end))
            best = shortest.get((category, start))
            if best is None or end < best[0]:
                shortest[(category, start)] = (end, rule)
        results = []
        for (category, start), (end, rule) in shortest.items():
            status, detail = self._judge(self._categories[category], rule, start, end, structure)
            first_token = doc[normalised.token_index[start]]
            last_token = doc[normalised.token_index[end - 1]]
            char_start, char_end = first_token.idx, last_token.idx + len(last_token.text)
            results.append(ScreenMatch(
                category=category, rule=rule, phrase=chunk[char_start:char_end],
                start=offset + char_start, end=offset + char_end, status=status, detail=detail,
            ))
        recurrence = bool(cues["recurrence_cues"])
        return results, recurrence

    def _candidate_sentences(self, words: list[str]) -> list[tuple[int, int]]:
        """Runs of sentences holding an anchor word (the Matcher's cost grows with the text)."""
        runs: list[tuple[int, int]] = []
        start, hit = 0, False
        for i, word in enumerate(words):
            hit = hit or word in self._anchors
            if word in self._gap_breaks or i == len(words) - 1:
                if hit:
                    if runs and runs[-1][1] == start:
                        runs[-1] = (runs[-1][0], i + 1)
                    else:
                        runs.append((start, i + 1))
                start, hit = i + 1, False
        return runs

    def _structure(self, words: list[str], cues: dict[str, list[tuple[int, int]]]) -> _Chunk:
        clause, sentence = [], []
        clause_id = sentence_id = 0
        for word in words:
            if word in self._clause_breaks:
                clause.append(-1)
                sentence.append(-1 if word in self._sentence_breaks else sentence_id)
                clause_id += 1
                if word in self._sentence_breaks:
                    sentence_id += 1
                continue
            clause.append(clause_id)
            sentence.append(sentence_id)
        return _Chunk(words=words, clause=clause, sentence=sentence,
                      clause_bounds=_bounds(clause), sentence_bounds=_bounds(sentence),
                      cues=cues, exclusions={})

    # -- judging one candidate ------------------------------------------------------------------

    def _judge(
        self, category: Category, rule: str, start: int, end: int, c: _Chunk
    ) -> tuple[str, str]:
        for ex_start, ex_end in c.exclusions.get(category.id, ()):
            if ex_start < end and start < ex_end:
                return EXCLUDED, "an everyday use listed in the exclusions"
        clause_start, clause_end = _span(c.clause, c.clause_bounds, start, end)
        sentence_start, sentence_end = _span(c.sentence, c.sentence_bounds, start, end)
        uncertain = _any_within(c.cues["uncertainty_cues"], sentence_start, sentence_end)
        if category.negation_clears and self._negated(c, start, end, clause_start, rule,
                                                      category.id):
            if not uncertain:
                return NEGATED, "negation cue before it"
            detail = "negation cue, but unsure"
        else:
            detail = ""
        if not (category.history_clears or category.record_question_clears):
            return FLAG, detail
        if _any_within(c.cues["present_cues"], sentence_start, sentence_end):
            return FLAG, detail or "a present-time cue in the sentence"
        if any(clause_start <= a and start - 2 <= b <= start for a, b in c.cues["current_cues"]):
            return FLAG, detail or "someone has it now"
        scope = self._scope(c, start, end, clause_start, clause_end)
        if category.history_clears and any(self._history(c, a, b) for a, b in scope):
            return HISTORY, "history cue in the clause"
        if category.record_question_clears and (
            any(_any_within(c.cues["record_cues"], a, b) for a, b in scope)
            or self._quoted(c.words, start, end)
            or self._term_question(c.words, start, end, clause_end, sentence_start, sentence_end)
        ):
            return RECORD_QUESTION, "a question about the record or a term"
        return FLAG, detail

    def _negated(self, c: _Chunk, start: int, end: int, clause_start: int, rule: str,
                 category: str) -> bool:
        """A negation cue shortly before the match, in its clause ("no chest pain"), or inside
        it, just before its last word ("my face is not drooping"), unless the rule itself holds
        the negation ("will not wake")."""
        pseudo = {i for a, b in c.cues["pseudo_negations"] for i in range(a, b)}
        if (category, rule) not in self._negating_rules and any(
            c.words[i] in self._negation_cues and i not in pseudo
            for i in range(max(start + 1, end - 3), end - 1)
        ):
            return True
        reach = 0  # "no cough, fever or chest pain": a list after the cue extends its reach
        j = start - 1
        while j >= clause_start and start - j <= self._max_negation_window + reach:
            word = c.words[j]
            if word in self._terminators:
                return False
            if word in self._list_words:
                reach = min(reach + self._list_extension, 3 * self._list_extension)
            window = self._negation_cues.get(word)
            if window is not None and start - j <= window + reach and j not in pseudo:
                return True
            j -= 1
        return False

    def _scope(
        self, c: _Chunk, start: int, end: int, clause_start: int, clause_end: int
    ) -> list[tuple[int, int]]:
        """The candidate's clause, plus a short next-door clause that is only a time or record
        cue ("In 2010, my dad had a stroke"; "On my record, heart attack")."""
        scope = [(clause_start, clause_end)]
        first, last = c.clause[start], c.clause[end - 1]
        for neighbour in (first - 1, last + 1):
            bounds = c.clause_bounds.get(neighbour)
            if bounds is None:
                continue
            a, b = bounds
            if c.sentence[a] != c.sentence[start] or b - a > self._cue_clause_max:
                continue
            if any(a < ce and cs < b for cs, ce in c.candidates):
                continue
            if self._history(c, a, b) or _any_within(c.cues["record_cues"], a, b):
                scope.append((a, b))
        return scope

    def _history(self, c: _Chunk, a: int, b: int) -> bool:
        if _any_within(c.cues["history_cues"], a, b):
            return True
        for i in range(a, b):
            word = c.words[i]
            if _YEAR.match(word) and not any(
                c.words[j] in self._ongoing for j in range(max(a, i - 2), i)
            ):
                return True
            if word == "ago" and any(
                c.words[j] in self._history_units for j in range(max(a, i - 2), i)
            ):
                return True
        return False

    def _quoted(self, words: list[str], start: int, end: int) -> bool:
        before = start - 1
        if before >= 1 and words[before] in {"a", "an", "the"}:
            before -= 1
        return (
            before >= 0 and words[before] in self._quote_marks
            and end < len(words) and words[end] in self._quote_marks
        )

    def _term_question(
        self, words: list[str], start: int, end: int, clause_end: int,
        sentence_start: int, sentence_end: int,
    ) -> bool:
        """"what is a stroke?", "what does mottled skin mean": a question about a term."""
        j = start - 1
        while j >= sentence_start and words[j] in self._question_fillers and start - j <= 5:
            j -= 1
        if j < sentence_start or words[j] not in self._question_words:
            return False
        return end >= clause_end or any(
            words[i] in self._meaning_words for i in range(end, min(end + 6, sentence_end))
        )


def _bounds(ids: list[int]) -> dict[int, tuple[int, int]]:
    bounds: dict[int, tuple[int, int]] = {}
    for i, ident in enumerate(ids):
        if ident < 0:
            continue
        first = bounds.get(ident, (i, i))[0]
        bounds[ident] = (first, i + 1)
    return bounds


def _span(
    ids: list[int], bounds: dict[int, tuple[int, int]], start: int, end: int
) -> tuple[int, int]:
    """From the start of the unit holding ``start`` to the end of the one holding ``end - 1``."""
    inside = [ids[i] for i in range(start, end) if ids[i] >= 0]
    if not inside:
        return start, end
    return bounds[inside[0]][0], bounds[inside[-1]][1]


def _any_within(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(a <= s and e <= b for s, e in spans)


def _chunks(text: str, size: int, overlap: int) -> Iterator[tuple[int, str]]:
    """Overlapping pieces of ``text`` with their offsets, cut at spaces where possible."""
    if len(text) <= size:
        yield 0, text
        return
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = text.rfind(" ", start + size - overlap // 2, end)
            if cut > start:
                end = cut
        yield start, text[start:end]
        if end >= len(text):
            return
        restart = end - overlap
        space = text.find(" ", restart, end)
        following = space + 1 if space != -1 else restart
        start = following if following > start else end  # always move forward
