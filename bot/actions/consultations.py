"""Appointments (consultations), referrals and letters: newest first, in plain words.

Free-text notes are shown as written, with the glossary's explanation of the words it knows.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.base import Context, Events, PatientAction
from bot.actions.formatting import chunk_lines, display, entry_date, remember, short, sort_key


def explain_words(text: str, limit: int = 3) -> list[str]:
    """Plain-English meanings of the record words found in a note ('O/E: on examination...')."""
    from glossary import get_glossary

    lines, seen = [], set()
    for span in get_glossary().explain_text(text):
        key = span.explanation.key or span.text.lower()
        if key in seen or span.explanation.provenance == "unknown":
            continue
        seen.add(key)
        lines.append(short(f"{span.text}: {span.explanation.text}", 200))
        if len(lines) == limit:
            break
    return lines


def _note_text(entry: dict[str, Any]) -> str:
    parts = [f"{e.get('heading')}: {e.get('text')}" if e.get("heading") else str(e.get("text"))
             for e in entry.get("entries") or [] if isinstance(e, dict) and e.get("text")]
    if parts:  # a consultation's sections (History, Examination, Plan...)
        return " ".join(p if p.endswith(".") else p + "." for p in parts)
    for name in ("summary", "notes", "text", "note", "comment", "reason", "description"):
        value = entry.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


class _ListSection(PatientAction):
    """Shared shape: newest entries of one section, then the words the glossary can explain."""

    section = ""
    topic = ""
    heading = ""
    show = 3

    @abstractmethod
    def name(self) -> str:
        """Each subclass names itself (abstract, so rasa-sdk does not register this class)."""

    def line(self, entry: dict[str, Any]) -> str:
        """One entry as a line."""
        when = entry_date(entry)
        note = _note_text(entry)
        head = f"{when}: {display(entry)}" if when else display(entry)
        return short(f"• {head}" + (f". {note}" if note and note != display(entry) else ""), 300)

    def lines(self, entry: dict[str, Any]) -> list[str]:
        """The entry as one or more lines (each at most one message long)."""
        return [self.line(entry)]

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        entries = sorted(ctx.client.section(self.section), key=sort_key, reverse=True)[: self.show]
        if not entries:
            dispatcher.utter_message(response="utter_section_empty", whose=ctx.whose)
        else:
            for message in chunk_lines(self.heading.format(whose=ctx.whose),
                                       [line for e in entries for line in self.lines(e)]):
                dispatcher.utter_message(text=message)
            notes = " ".join(_note_text(e) + " " + display(e) for e in entries)
            meanings = explain_words(notes)
            if meanings:
                for message in chunk_lines("Some words in there:", meanings):
                    dispatcher.utter_message(text=message)
        return [SlotSet("last_topic", self.topic),
                SlotSet("discussed_entries", remember(tracker.get_slot("discussed_entries"),
                                                      self.section, entries))]


class ActionListConsultations(_ListSection):
    """'What did the GP write?': the newest appointment notes."""

    section, topic, heading = "consultations", "consultations", "Latest notes on {whose} record:"
    show = 2

    def name(self) -> str:
        return "action_list_consultations"

    def lines(self, entry: dict[str, Any]) -> list[str]:
        """A heading ('• 27 October 2026, Diabetes review with Dr Shah'), then each part of the
        note as written ('History: ...'), so nothing is cut."""
        head = ", ".join(str(v) for v in (entry_date(entry), entry.get("kind") or display(entry))
                         if v)
        if entry.get("clinician"):
            head += f" with {entry['clinician']}"
        parts = [f"{e.get('heading')}: {e.get('text')}" if e.get("heading") else str(e["text"])
                 for e in entry.get("entries") or [] if isinstance(e, dict) and e.get("text")]
        return [f"• {head}", *parts] if parts else [self.line(entry)]


class ActionListReferrals(_ListSection):
    """'Have I been referred?': the newest referrals."""

    section, topic, heading = "referrals", "referrals", "Referrals on {whose} record:"

    def name(self) -> str:
        return "action_list_referrals"

    def line(self, entry: dict[str, Any]) -> str:
        """'• 3 May 2025: Cardiology (urgent), sent'."""
        when = entry_date(entry)
        bits = [display(entry)]
        for name in ("specialty", "service", "to"):
            if isinstance(entry.get(name), str) and entry[name] not in bits:
                bits.append(str(entry[name]))
        extra = ", ".join(str(entry[n]) for n in ("priority", "status") if entry.get(n))
        text = " - ".join(bits) + (f" ({extra})" if extra else "")
        return short(f"• {when}: {text}" if when else f"• {text}", 300)


class ActionListLetters(_ListSection):
    """'Any letters from the hospital?': the newest documents."""

    section, topic, heading = "documents", "letters", "Latest letters on {whose} record:"

    def name(self) -> str:
        return "action_list_letters"
