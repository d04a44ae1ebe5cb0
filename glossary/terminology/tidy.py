"""Turning a terminology's name for something into words a patient can read."""

from __future__ import annotations

import re

_TAG = re.compile(r"\s*\(([a-z][a-z /-]*)\)\s*$")

# Semantic tag -> what kind of thing it is, in plain words.
TAG_WORDS: dict[str, str] = {
    "disorder": "a condition",
    "finding": "something noted about your health",
    "procedure": "a test, treatment or other care",
    "regime/therapy": "a treatment or plan of care",
    "observable entity": "something that can be measured or checked",
    "situation": "a note about your health or care",
    "event": "something that happened",
    "body structure": "a part of the body",
    "morphologic abnormality": "a change in part of the body",
    "substance": "a substance",
    "product": "a medicine or product",
    "medicinal product": "a medicine",
    "medicinal product form": "a medicine",
    "clinical drug": "a medicine",
    "organism": "a germ or other living thing",
    "specimen": "a sample, such as blood or urine",
    "physical object": "a device or object",
    "qualifier value": "a word that describes something",
    "record artifact": "a record or letter",
    "assessment scale": "a score or scale",
    "person": "a person",
    "occupation": "a job",
    "environment": "a place",
    "social concept": "something about your life",
    "attribute": "a word used in the record",
}


def split_tag(fsn: str) -> tuple[str, str | None]:
    """Split ``"Asthma (disorder)"`` into ``("Asthma", "disorder")``."""
    m = _TAG.search(fsn)
    if not m:
        return fsn.strip(), None
    return fsn[: m.start()].strip(), m.group(1)


def strip_tag(fsn: str) -> str:
    """The name without its semantic tag."""
    return split_tag(fsn)[0]


def kind_words(tag: str | None) -> str | None:
    """The plain words for a semantic tag, or None if we have none."""
    return TAG_WORDS.get(tag) if tag else None


def sentence_case(name: str) -> str:
    """Upper-case the first letter only, leaving abbreviations such as "HbA1c" alone."""
    return name[:1].upper() + name[1:] if name else name
