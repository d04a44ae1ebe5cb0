"""What the glossary needs from a terminology, whichever backend provides it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Protocol, runtime_checkable

IS_A = "116680003"


@runtime_checkable
class Terminology(Protocol):
    """A source of SNOMED CT names (and, for a full release, the is-a hierarchy).

    Codes are SCTIDs as text. Inactive concepts are treated as absent.
    """

    name: str
    has_hierarchy: bool
    #: ``code -> preferred term`` and ``code -> semantic tag`` for active concepts, in memory so
    #: the hot path is a plain dictionary look-up.
    term_index: Mapping[str, str]
    tag_index: Mapping[str, str]

    def term(self, code: str) -> str | None:
        """The preferred term to show a patient (en-GB where known), or None if unknown."""
        ...

    def fsn(self, code: str) -> str | None:
        """The fully specified name, with its semantic tag, or None if unknown."""
        ...

    def semantic_tag(self, code: str) -> str | None:
        """The FSN's semantic tag (``"disorder"``...), or None if unknown."""
        ...

    def parents(self, code: str) -> list[str]:
        """The active is-a parents of an active concept ([] without a hierarchy)."""
        ...

    def is_a_edges(self) -> Iterable[tuple[str, str]]:
        """Every active ``(child, parent)`` is-a pair between active concepts."""
        ...


def nearest_curated_ancestors(
    edges: Iterable[tuple[str, str]], curated: Iterable[str]
) -> dict[str, str]:
    """For every concept below a curated one, its nearest curated ancestor.

    A breadth-first walk down from all curated codes at once, so each concept gets the curated
    ancestor fewest is-a steps away (ties go to the lowest code, so the answer is stable).
    Curated codes themselves are not in the result.

    Args:
        edges: ``(child, parent)`` is-a pairs.
        curated: codes that have a reviewed entry.

    Returns:
        ``{code: curated ancestor code}``.
    """
    children: dict[str, list[str]] = {}
    for child, parent in edges:
        children.setdefault(parent, []).append(child)
    frontier = sorted(set(curated), key=lambda c: (len(c), c))
    owner: dict[str, str] = {c: c for c in frontier}
    while frontier:
        nxt: list[str] = []
        for node in frontier:
            root = owner[node]
            for child in children.get(node, ()):
                if child not in owner:
                    owner[child] = root
                    nxt.append(child)
        frontier = nxt
    return {code: root for code, root in owner.items() if code != root}


def walk_ancestors(parents: Mapping[str, list[str]], code: str) -> Iterator[str]:
    """Every ancestor of ``code`` once, nearest first (for tests and tools)."""
    seen = {code}
    frontier = [code]
    while frontier:
        nxt: list[str] = []
        for node in frontier:
            for p in parents.get(node, ()):
                if p not in seen:
                    seen.add(p)
                    nxt.append(p)
                    yield p
        frontier = nxt
