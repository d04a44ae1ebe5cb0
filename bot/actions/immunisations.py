"""'What jabs have I had?': the vaccines on the record, newest first."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.base import Context, Events, PatientAction
from bot.actions.formatting import chunk_lines, display, entry_date, remember, sort_key


class ActionListImmunisations(PatientAction):
    """Lists the newest immunisations (up to ten)."""

    def name(self) -> str:
        return "action_list_immunisations"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        jabs = sorted(ctx.client.section("immunisations"), key=sort_key, reverse=True)[:10]
        if not jabs:
            dispatcher.utter_message(response="utter_section_empty", whose=ctx.whose)
        else:
            lines = [f"• {display(j)}" + (f", {entry_date(j)}" if entry_date(j) else "")
                     for j in jabs]
            for message in chunk_lines(f"Vaccines on {ctx.whose} record, newest first:", lines):
                dispatcher.utter_message(text=message)
        return [SlotSet("last_topic", "immunisations"),
                SlotSet("discussed_entries", remember(tracker.get_slot("discussed_entries"),
                                                      "immunisations", jabs))]
