"""'Am I allergic to anything?': the allergies and reactions on the record."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.base import Context, Events, PatientAction
from bot.actions.formatting import chunk_lines, display, entry_date, remember


def allergy_line(allergy: dict[str, Any]) -> str:
    """'• Penicillin: rash (recorded 3 May 2019)'."""
    reaction = allergy.get("reaction") or allergy.get("reactions") or allergy.get("manifestation")
    if isinstance(reaction, list):
        reaction = ", ".join(str(r.get("display", r) if isinstance(r, dict) else r)
                             for r in reaction)
    line = f"• {display(allergy)}" + (f": {reaction}" if reaction else "")
    when = entry_date(allergy)
    return line + (f" (recorded {when})" if when else "")


class ActionListAllergies(PatientAction):
    """Lists allergies; says so plainly when none are recorded (which is not proof of none)."""

    def name(self) -> str:
        return "action_list_allergies"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        allergies = ctx.client.section("allergies")
        if not allergies:
            dispatcher.utter_message(text=f"{ctx.whose_start} record has no allergies written "
                                          "down. If you have one, tell the practice.")
        else:
            for message in chunk_lines(f"Allergies on {ctx.whose} record:",
                                       [allergy_line(a) for a in allergies]):
                dispatcher.utter_message(text=message)
        return [SlotSet("last_topic", "allergies"),
                SlotSet("discussed_entries", remember(tracker.get_slot("discussed_entries"),
                                                      "allergies", allergies))]
