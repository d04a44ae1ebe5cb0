"""Plain functions that turn record entries into short sentences (no I/O, no Rasa)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

MAX_CHARS = 320  # one chat bubble, or two SMS

_DATE_FIELDS = ("effective", "date", "recorded", "started", "onset", "issued", "created_at",
                "last_issued", "sent", "received")


def display(entry: dict[str, Any]) -> str:
    """The entry's name as the record gives it."""
    code = entry.get("code") if isinstance(entry.get("code"), dict) else {}
    for value in (entry.get("name"), entry.get("display"), entry.get("title"),
                  entry.get("description"), (code or {}).get("display"), entry.get("type")):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return "an entry"


def parse_date(value: Any) -> dt.date | None:
    """A date from an ISO date or date-time string, or ``None``."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def nice_date(value: Any) -> str | None:
    """'14 March 2025' from an ISO string; ``None`` when it is not a date."""
    day = parse_date(value)
    return f"{day.day} {day:%B %Y}" if day else None


def entry_date(entry: dict[str, Any]) -> str | None:
    """The entry's main date, written out."""
    for name in _DATE_FIELDS:
        text = nice_date(entry.get(name))
        if text:
            return text
    return None


def sort_key(entry: dict[str, Any]) -> str:
    """Sort entries by their main date (ISO strings sort by time)."""
    for name in _DATE_FIELDS:
        value = entry.get(name)
        if isinstance(value, str) and parse_date(value):
            return value
    return ""


def number(value: Any) -> str:
    """A number as people write it: 5.8, 48, 0.25 (no trailing zeros)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:g}"


def result_value(result: dict[str, Any]) -> str:
    """'5.8 mmol/L', or the value text when there is no number."""
    if result.get("value") is not None:
        unit = result.get("unit") or ""
        return f"{number(result['value'])} {unit}".strip()
    return str(result.get("value_text") or "no value given")


def direction(result: dict[str, Any]) -> str:
    """Where a value sits: ``above``, ``below``, ``in`` or ``unknown`` (flag first, then range)."""
    flag = (result.get("abnormal_flag") or "").upper()
    if flag in ("H", "HH"):
        return "above"
    if flag in ("L", "LL"):
        return "below"
    if flag == "N":
        return "in"
    value, low, high = result.get("value"), result.get("range_low"), result.get("range_high")
    if isinstance(value, int | float):
        if isinstance(high, int | float) and value > high:
            return "above"
        if isinstance(low, int | float) and value < low:
            return "below"
        if isinstance(low, int | float) or isinstance(high, int | float):
            return "in"
    if flag == "A":
        return "outside"
    return "unknown"


DIRECTION_WORDS = {
    "above": "This is higher than the usual range.",
    "below": "This is lower than the usual range.",
    "in": "This is in the usual range.",
    "outside": "The lab marked this as outside the usual range.",
    "unknown": "The record does not give a usual range for this.",
}


def range_words(result: dict[str, Any]) -> str:
    """The lab's own range as sent in the record: 'The lab's usual range is 3.5 to 5.3 mmol/L.'"""
    low, high = result.get("range_low"), result.get("range_high")
    unit = f" {result['unit']}" if result.get("unit") else ""
    if isinstance(low, int | float) and isinstance(high, int | float):
        return f"The lab's usual range is {number(low)} to {number(high)}{unit}."
    if isinstance(high, int | float):
        return f"The lab's usual range is up to {number(high)}{unit}."
    if isinstance(low, int | float):
        return f"The lab's usual range is {number(low)}{unit} or more."
    if result.get("range_text"):
        return f"The lab's usual range is {result['range_text']}."
    return ""


def position_words(result: dict[str, Any]) -> str:
    """Where the value sits, then the lab's range: 'This is in the usual range. The lab's ...'."""
    return f"{DIRECTION_WORDS[direction(result)]} {range_words(result)}".strip()


def is_abnormal(result: dict[str, Any]) -> bool:
    """Whether the lab or the range says the value is outside the usual range."""
    return direction(result) in ("above", "below", "outside")


def chunk_lines(intro: str, lines: Iterable[str], limit: int = MAX_CHARS) -> list[str]:
    """Pack lines into messages of at most ``limit`` characters, the intro first."""
    messages: list[str] = []
    current = intro
    for line in lines:
        line = line if len(line) <= limit else line[: limit - 1] + "…"
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            messages.append(current)
            current = line
        else:
            current = candidate
    if current:
        messages.append(current)
    return messages


def short(text: str, limit: int = MAX_CHARS) -> str:
    """Cut ``text`` at a sentence (or word) boundary to fit ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    stop = cut.rfind(". ")
    if stop > limit // 2:
        return cut[: stop + 1]
    return cut[: cut.rfind(" ")] + "…"


def join_names(names: Sequence[str]) -> str:
    """'a, b and c'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def latest_by_name(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The newest entry for each name, newest first."""
    newest: dict[str, dict[str, Any]] = {}
    for entry in entries:
        key = display(entry).lower()
        if key not in newest or sort_key(entry) > sort_key(newest[key]):
            newest[key] = entry
    return sorted(newest.values(), key=sort_key, reverse=True)


def entry_ref(section: str, entry: dict[str, Any]) -> dict[str, str]:
    """How an escalation names a record entry: ``{section, id, display}``."""
    return {"section": section, "id": str(entry.get("id", "")), "display": display(entry)}


def remember(previous: Any, section: str, entries: Iterable[dict[str, Any]],
             keep: int = 10) -> list[dict[str, str]]:
    """Add entries to the ``discussed_entries`` slot value, without repeats, newest last."""
    seen = [e for e in previous if isinstance(e, dict)] if isinstance(previous, list) else []
    for entry in entries:
        ref = entry_ref(section, entry)
        seen = [e for e in seen if (e.get("section"), e.get("id")) != (section, ref["id"])]
        seen.append(ref)
    return seen[-keep:]
