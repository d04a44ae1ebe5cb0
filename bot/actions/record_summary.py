"""'What's on my record?': the current health problems, and how much is in each section."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.base import Context, Events, PatientAction, support_sensitive
from bot.actions.formatting import chunk_lines, display, join_names, remember

# Section -> how to count it in a sentence (singular, plural).
COUNTED = (
    ("medications", "current medicine", "current medicines"),
    ("results", "test result", "test results"),
    ("allergies", "allergy", "allergies"),
    ("immunisations", "vaccine", "vaccines"),
    ("consultations", "appointment note", "appointment notes"),
    ("referrals", "referral", "referrals"),
    ("documents", "letter", "letters"),
)


def active_problems(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Active problems, the ones marked significant first."""
    problems = [p for p in record.get("problems") or [] if p.get("status") != "past"]
    return sorted(problems, key=lambda p: not p.get("significant"))


def counts_sentence(record: dict[str, Any], whose: str) -> str | None:
    """'Your record also has 3 current medicines, 12 test results and 1 allergy.'"""
    parts = []
    for section, one, many in COUNTED:
        entries = record.get(section)
        if not isinstance(entries, list):
            continue  # absent: this conversation may not see it
        if section == "medications":
            entries = [m for m in entries if m.get("status") != "past"]
        if entries:
            parts.append(f"{len(entries)} {one if len(entries) == 1 else many}")
    return f"{whose} record also has {join_names(parts)}." if parts else None


class ActionRecordSummary(PatientAction):
    """A short summary: problems first (with the glossary's plain names), then the counts."""

    explains = True

    def name(self) -> str:
        return "action_record_summary"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        from glossary import get_glossary

        record = ctx.client.record()
        problems = active_problems(record)[:8]
        glossary = get_glossary()
        lines, sensitive = [], False
        for problem in problems:
            code = problem.get("code") or {}
            name = display(problem)
            if code.get("code"):
                explained = glossary.explain_code(str(code["code"]), display=name,
                                                  **({"system": code["system"]}
                                                     if code.get("system") else {}))
                sensitive = sensitive or explained.sensitive
                if explained.provenance in ("entry", "ancestor") and \
                        explained.title.lower() not in name.lower():
                    name = f"{name} ({explained.title})"
            sensitive = sensitive or bool(problem.get("sensitive"))
            lines.append(f"• {name}")
        if lines:
            for message in chunk_lines(f"Health problems on {ctx.whose} record now:", lines):
                dispatcher.utter_message(text=message)
        else:
            dispatcher.utter_message(text=f"{ctx.whose_start} record lists no current health "
                                          "problems.")
        offer = support_sensitive(dispatcher, tracker) if sensitive else []
        counts = counts_sentence(record, ctx.whose_start)
        if counts:
            dispatcher.utter_message(text=counts)
        dispatcher.utter_message(response="utter_help")
        events: Events = [SlotSet("last_topic", "summary"),
                          SlotSet("discussed_entries", remember(
                              tracker.get_slot("discussed_entries"), "problems", problems))]
        return [*offer, *events]
