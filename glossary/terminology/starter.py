"""The bundled starter terminology: the SNOMED CT Global Patient Set, names only.

No hierarchy, so codes without their own entry get only their (tidied) name. Curated entries add
their own codes and names on top, so every code the glossary explains is known here too.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable, Mapping
from importlib import resources

from glossary.terminology.tidy import split_tag, strip_tag

STARTER_FILE = "snomed_gps_2020.tsv.gz"


def read_starter_table() -> dict[str, str]:
    """The packaged ``code -> FSN`` table (about 26,000 rows)."""
    node = resources.files("glossary") / "data" / STARTER_FILE
    data = gzip.decompress(node.read_bytes())
    table: dict[str, str] = {}
    for line in io.StringIO(data.decode("utf-8")):
        if line.startswith("#") or not line.strip():
            continue
        code, _, fsn = line.rstrip("\n").partition("\t")
        table[code] = fsn
    return table


class StarterTerminology:
    """Names for the GPS concepts plus the curated entries' own codes; no hierarchy."""

    name = "SNOMED CT Global Patient Set 2020 (starter set, no hierarchy)"
    has_hierarchy = False

    def __init__(self, fsns: Mapping[str, str], extra_terms: Mapping[str, str] | None = None):
        """Build from a ``code -> FSN`` table and ``code -> name`` for curated codes."""
        self._fsn = dict(fsns)
        self._term = {code: strip_tag(fsn) for code, fsn in self._fsn.items()}
        for code, name in (extra_terms or {}).items():
            self._term.setdefault(code, name)
        self._tags = {c: t for c, fsn in self._fsn.items() if (t := split_tag(fsn)[1])}
        self.term_index: Mapping[str, str] = self._term
        self.tag_index: Mapping[str, str] = self._tags

    @classmethod
    def load(cls, extra_terms: Mapping[str, str] | None = None) -> StarterTerminology:
        """Load the packaged table."""
        return cls(read_starter_table(), extra_terms)

    def term(self, code: str) -> str | None:
        return self._term.get(code)

    def fsn(self, code: str) -> str | None:
        return self._fsn.get(code)

    def semantic_tag(self, code: str) -> str | None:
        return self._tags.get(code)

    def parents(self, code: str) -> list[str]:
        return []

    def is_a_edges(self) -> Iterable[tuple[str, str]]:
        return ()
