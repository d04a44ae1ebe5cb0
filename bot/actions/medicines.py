"""Medicines: what the patient is on, and what one of them is usually for."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.base import Context, Events, PatientAction, ask_feedback, support_sensitive
from bot.actions.formatting import chunk_lines, display, entry_date, remember, short


def current_medicines(medications: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Repeat and acute medicines (not past ones), in record order."""
    return [m for m in medications if m.get("status") != "past"]


def medicine_line(med: dict[str, Any]) -> str:
    """'• Atorvastatin 20mg tablets: one at night' (the dose as written)."""
    dose = med.get("dose")
    return f"• {display(med)}: {dose}" if dose else f"• {display(med)}"


def find_medicine(medications: list[dict[str, Any]], asked: str) -> dict[str, Any] | None:
    """The record's medicine that best matches what the patient typed (typos allowed)."""
    asked = asked.lower().strip()
    best, best_score = None, 0.0
    for med in medications:
        name = display(med).lower()
        score = 100.0 if asked in name else fuzz.partial_ratio(asked, name)
        if score > best_score:
            best, best_score = med, score
    return best if best_score >= 80 else None


def medicine_button(med: dict[str, Any]) -> dict[str, str]:
    """A quick-reply button that asks about one medicine."""
    word = display(med).split()[0].lower()
    return {"title": f"What is {word} for?",
            "payload": f'/medicine_detail{{"medicine": "{word}"}}'}


class ActionListMedicines(PatientAction):
    """'What medicines am I on?': the current medicines on the record, with their doses."""

    explains = True

    def name(self) -> str:
        return "action_list_medicines"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        meds = ctx.client.section("medications")
        current = current_medicines(meds)
        if not current:
            dispatcher.utter_message(response="utter_section_empty", whose=ctx.whose)
            return [SlotSet("last_topic", "medicines")]
        intro = f"{ctx.whose_start} record lists {len(current)} current medicine" + (
            "s:" if len(current) > 1 else ":")
        for message in chunk_lines(intro, [medicine_line(m) for m in current]):
            dispatcher.utter_message(text=message)
        dispatcher.utter_message(response="utter_medicine_more",
                                 buttons=[medicine_button(m) for m in current[:3]])
        return [SlotSet("last_topic", "medicines"),
                SlotSet("discussed_entries", remember(tracker.get_slot("discussed_entries"),
                                                      "medications", current))]


class ActionMedicineDetail(PatientAction):
    """'What is atorvastatin for?': the record's entry, and what the medicine is usually for."""

    explains = True

    def name(self) -> str:
        return "action_medicine_detail"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        asked = next(tracker.get_latest_entity_values("medicine"), None) or tracker.get_slot(
            "medicine")
        if not asked:
            dispatcher.utter_message(response="utter_ask_medicine")
            return []
        return explain_medicine(dispatcher, tracker, ctx, str(asked))


def explain_medicine(dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context,
                     asked: str, meds: list[dict[str, Any]] | None = None) -> Events:
    """The record's entry for the medicine, what it is usually for (glossary), and feedback.

    Args:
        asked: the medicine as the patient typed it.
        meds: the record's medications, when the caller already has them.
    """
    from glossary import get_glossary

    med = find_medicine(ctx.client.section("medications") if meds is None else meds, asked)
    code = (med or {}).get("code") or {}
    explained = get_glossary().explain_medicine(
        display(med) if med else asked, code=code.get("code"), system=code.get("system"))
    if med is None and explained is None:
        dispatcher.utter_message(response="utter_nothing_found", whose=ctx.whose)
        return []
    if med is not None:
        status = {"repeat": "a repeat medicine", "acute": "a one-off (acute) medicine",
                  "past": "a past medicine"}.get(str(med.get("status")), "a medicine")
        when = entry_date(med)
        line = f"{display(med)} is on {ctx.whose} record as {status}."
        if med.get("dose"):
            line += f" The dose says: {med['dose']}."
        if when:
            line += f" Started {when}."
        dispatcher.utter_message(text=short(line))
    else:
        dispatcher.utter_message(text=f"I could not see {asked} on {ctx.whose} record.")
    if explained is not None:
        dispatcher.utter_message(text=short(explained.text))
    events: Events = []
    if (explained is not None and explained.sensitive) or (med or {}).get("sensitive"):
        events += support_sensitive(dispatcher, tracker)
    else:
        dispatcher.utter_message(response="utter_not_advice")
    ask_feedback(dispatcher, ctx.channel)
    events += [SlotSet("last_topic", "medicines"), SlotSet("medicine", asked),
                      SlotSet("last_glossary_key", explained.key if explained else None),
                      SlotSet("last_record_entry", str(med.get("id")) if med else None)]
    if med is not None:
        events.append(SlotSet("discussed_entries", remember(
            tracker.get_slot("discussed_entries"), "medications", [med])))
    return events
