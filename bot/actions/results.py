"""Test results: the latest ones, one test in detail, how it changed, why it is flagged.

Why a result is high or low for this patient is a clinical question: the action explains what
the test is for and offers to send the question to the practice; it never says why.
"""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.base import (
    Context,
    Events,
    PatientAction,
    ask_feedback,
    support_sensitive,
)
from bot.actions.formatting import (
    chunk_lines,
    direction,
    display,
    entry_date,
    is_abnormal,
    latest_by_name,
    nice_date,
    number,
    position_words,
    remember,
    result_value,
    short,
    sort_key,
)
from bot.actions.medicines import explain_medicine, find_medicine

# What patients call a test -> words in the lab's names for it. Excluded words keep, say,
# HbA1c ("glycated haemoglobin") out of a question about haemoglobin.
TEST_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "cholesterol": (("cholesterol", "hdl", "ldl", "triglyceride", "lipid"), ()),
    "kidney": (("egfr", "creatinine", "urea", "kidney", "renal", "glomerular",
                "albumin:creatinine", "acr"), ()),
    "hba1c": (("hba1c", "a1c", "glycated", "glucose", "sugar"), ()),
    "liver": (("alt", "alanine", "alkaline phosphatase", "alp", "bilirubin", "ggt",
               "gamma", "liver", "albumin"), ("creatinine",)),
    "thyroid": (("tsh", "thyroid", "t4", "t3", "thyroxine"), ()),
    "haemoglobin": (("haemoglobin", "hemoglobin", "hb"), ("a1c", "glycated")),
    "blood count": (("haemoglobin", "white cell", "platelet", "red cell", "mcv", "neutrophil",
                     "full blood count", "fbc", "wbc"), ("a1c", "glycated")),
    "vitamin d": (("vitamin d", "25-oh", "calciferol"), ()),
    "blood pressure": (("blood pressure", "systolic", "diastolic", "bp"), ()),
    "iron": (("ferritin", "iron", "transferrin"), ()),
}
WANTED_SCORE = 85  # rapidfuzz partial_ratio for typed names that match no group


def _words(name: str) -> set[str]:
    return set(name.replace("(", " ").replace(")", " ").replace(",", " ").split())


def matches(result: dict[str, Any], asked: str) -> bool:
    """Whether a result is the test the patient asked about ("kidney", "HbA1c", "cholestrol")."""
    asked = asked.lower().strip()
    names = " ".join([display(result), str(result.get("panel") or ""),
                      str(((result.get("code") or {}).get("display")) or "")]).lower()
    include, exclude = TEST_WORDS.get(asked, ((asked,), ()))
    if any(word in names for word in exclude):
        return False
    for word in include:
        # short words (hb, bp, alt) must be whole words; longer ones may be part of a name
        if (word in _words(names)) if len(word) <= 3 else (word in names):
            return True
    return asked not in TEST_WORDS and fuzz.partial_ratio(asked, names) >= WANTED_SCORE


def result_line(result: dict[str, Any]) -> str:
    """'• Cholesterol: 5.8 mmol/L (14 March 2025), higher than usual'."""
    when = entry_date(result)
    where = {"above": "higher than usual", "below": "lower than usual", "in": "in the usual range",
             "outside": "outside the usual range"}.get(direction(result))
    line = f"• {display(result)}: {result_value(result)}"
    if when:
        line += f" ({when})"
    return f"{line}, {where}" if where else line


def _asked_test(tracker: Tracker) -> str | None:
    value = next(tracker.get_latest_entity_values("test_name"), None) or tracker.get_slot(
        "test_name")
    return str(value) if value else None


def _explain(result: dict[str, Any], history: list[dict[str, Any]]) -> Any:
    """The glossary's explanation of a result (``ResultExplanation``)."""
    from glossary import get_glossary
    from glossary.model import ResultInput

    def as_input(r: dict[str, Any]) -> ResultInput:
        code = r.get("code") or {}
        value = r.get("value")
        return ResultInput(code=code.get("code"), system=code.get("system"), name=display(r),
                           value=float(value) if isinstance(value, int | float) else None,
                           unit=r.get("unit"), range_low=r.get("range_low"),
                           range_high=r.get("range_high"), abnormal_flag=r.get("abnormal_flag"),
                           effective=r.get("effective"))

    return get_glossary().explain_result(as_input(result), [as_input(h) for h in history])


class ActionListResults(PatientAction):
    """'What are my results?': the newest result of each test, newest first."""

    explains = True

    def name(self) -> str:
        return "action_list_results"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        results = latest_by_name(ctx.client.section("results"))
        if not results:
            dispatcher.utter_message(response="utter_section_empty", whose=ctx.whose)
            return [SlotSet("last_topic", "results")]
        shown = results[:8]
        intro = f"Here are the latest test results on {ctx.whose} record:"
        for message in chunk_lines(intro, [result_line(r) for r in shown]):
            dispatcher.utter_message(text=message)
        dispatcher.utter_message(response="utter_result_more")
        # a new list: "why is it high?" now means any of these, not the test asked about before
        return [SlotSet("last_topic", "results"), SlotSet("test_name", None),
                SlotSet("discussed_entries", remember(tracker.get_slot("discussed_entries"),
                                                      "results", shown))]


class ActionResultDetail(PatientAction):
    """'What is my cholesterol?' / 'and the kidney one?': one test, its value and what it is for."""

    explains = True

    def name(self) -> str:
        return "action_result_detail"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        asked = _asked_test(tracker)
        if not asked:
            dispatcher.utter_message(response="utter_ask_test_name")
            return []
        all_results = ctx.client.section("results")
        wanted = [r for r in all_results if matches(r, asked)]
        if not wanted and tracker.get_slot("last_topic") == "medicines":
            # "and what about the ramipril?" after the medicines list: same question, other
            # section (the NLU may tag the name as a test)
            meds = ctx.client.section("medications")
            if find_medicine(meds, asked) is not None:
                return explain_medicine(dispatcher, tracker, ctx, asked, meds)
        if not wanted:
            dispatcher.utter_message(response="utter_nothing_found", whose=ctx.whose)
            return [SlotSet("last_topic", "results")]
        latest = latest_by_name(wanted)[:3]
        first = latest[0]
        history = sorted((r for r in all_results if display(r) == display(first)), key=sort_key)
        lines = []
        for result in latest:
            when = entry_date(result)
            lines.append(f"{display(result)}: {result_value(result)}"
                         + (f" on {when}." if when else ".")
                         + f" {position_words(result)}")
        for message in chunk_lines(f"From {ctx.whose} record:", lines):
            dispatcher.utter_message(text=message)
        explained = _explain(first, history[:-1])
        if explained.what_for:
            dispatcher.utter_message(text=short(explained.what_for))
        events: Events = []
        if explained.sensitive or any(r.get("sensitive") for r in latest):
            events += support_sensitive(dispatcher, tracker, explained.what_happens_next)
        else:
            dispatcher.utter_message(response="utter_not_advice")
        ask_feedback(dispatcher, ctx.channel)
        return [*events, SlotSet("last_topic", "results"), SlotSet("test_name", asked),
                SlotSet("last_glossary_key", explained.key),
                SlotSet("last_record_entry", str(first.get("id", ""))),
                SlotSet("discussed_entries", remember(tracker.get_slot("discussed_entries"),
                                                      "results", latest))]


def trend_chart(series: dict[str, Any]) -> dict[str, Any] | None:
    """The portal's chart payload for one results/history series, or None under 2 points.

    ``{"title", "unit", "points": [{"date": "YYYY-MM-DD", "value": number}, ...oldest first],
    "range_low", "range_high"}``; only numeric values with a date are drawn.
    """
    raw = [p for p in series.get("points") or [] if isinstance(p, dict)]
    points = sorted(
        ({"date": str(p["effective"])[:10], "value": p["value"]} for p in raw
         if isinstance(p.get("value"), int | float) and not isinstance(p.get("value"), bool)
         and p.get("effective")),
        key=lambda p: p["date"])
    if len(points) < 2:
        return None
    latest = next((p for p in reversed(raw) if p.get("range_low") is not None
                   or p.get("range_high") is not None), {})

    def bound(value: Any) -> float | int | None:
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None

    return {"title": str(series.get("name") or "Results"), "unit": str(series.get("unit") or ""),
            "points": points, "range_low": bound(latest.get("range_low")),
            "range_high": bound(latest.get("range_high"))}


class ActionResultTrend(PatientAction):
    """'Has it gone up?': the test's past values, oldest first, and which way it moved."""

    explains = True

    def name(self) -> str:
        return "action_result_trend"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        asked = _asked_test(tracker)
        if not asked:
            dispatcher.utter_message(response="utter_ask_test_name")
            return []
        series = [s for s in ctx.client.results_history()
                  if matches({"name": s.get("name"), "code": s.get("code")}, asked)]
        if not series:
            dispatcher.utter_message(response="utter_nothing_found", whose=ctx.whose)
            return [SlotSet("last_topic", "results")]
        for one in series[:2]:
            points = [p for p in one.get("points", []) if isinstance(p, dict)][-5:]
            unit = one.get("unit") or ""
            steps = [f"{number(p.get('value'))} {unit}".strip()
                     + (f" ({nice_date(p.get('effective'))})" if p.get("effective") else "")
                     for p in points if p.get("value") is not None]
            if len(steps) < 2:
                dispatcher.utter_message(
                    text=f"{ctx.whose_start} record has only one {one.get('name')} result, "
                         "so I cannot show a change.")
                continue
            dispatcher.utter_message(text=short(f"{one.get('name')}, oldest first: "
                                                + ", then ".join(steps) + "."))
            chart = trend_chart(one)
            if chart is not None and ctx.channel != "sms":
                # the portal draws it as an inline SVG; the text above stands alone (SMS)
                dispatcher.utter_message(json_message={"chart": chart})
            last, before = points[-1].get("value"), points[-2].get("value")
            if isinstance(last, int | float) and isinstance(before, int | float):
                change = ("It went up since the test before." if last > before else
                          "It went down since the test before." if last < before else
                          "It is the same as the test before.")
                dispatcher.utter_message(text=change)
        dispatcher.utter_message(response="utter_not_advice")
        return [SlotSet("last_topic", "results"), SlotSet("test_name", asked)]


class ActionResultWhyAbnormal(PatientAction):
    """'Why is it high?': what the flag means and what usually happens next; the 'why' is the
    GP's to answer, so the question is offered to the practice."""

    explains = True

    def name(self) -> str:
        return "action_result_why_abnormal"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker, ctx: Context) -> Events:
        asked = _asked_test(tracker)
        all_results = ctx.client.section("results")
        pool = [r for r in all_results if matches(r, asked)] if asked else all_results
        flagged = [r for r in latest_by_name(pool) if is_abnormal(r)][:2]
        if flagged:
            for result in flagged:
                when = entry_date(result)
                dispatcher.utter_message(text=short(
                    f"{display(result)}: {result_value(result)}" + (f" on {when}." if when else ".")
                    + f" {position_words(result)}"))
            history = sorted((r for r in all_results if display(r) == display(flagged[0])),
                             key=sort_key)
            explained = _explain(flagged[0], history[:-1])
            if explained.sensitive or flagged[0].get("sensitive"):
                # the offer to send the question comes below, for every flagged result
                support_sensitive(dispatcher, tracker, offer=False)
            if explained.what_happens_next:
                dispatcher.utter_message(text=short(explained.what_happens_next))
        elif pool:
            dispatcher.utter_message(text=f"I cannot see a result marked high or low for that "
                                          f"on {ctx.whose} record.")
        else:
            dispatcher.utter_message(response="utter_nothing_found", whose=ctx.whose)
        dispatcher.utter_message(response="utter_why_abnormal_gp")
        dispatcher.utter_message(response="utter_offer_send_question")
        words = (tracker.latest_message or {}).get("text") or ""
        return [SlotSet("last_topic", "results"), SlotSet("pending_offer", "clinical"),
                SlotSet("pending_words", words),
                SlotSet("pending_urgency", "soon" if flagged else "routine"),
                SlotSet("discussed_entries", remember(tracker.get_slot("discussed_entries"),
                                                      "results", flagged))]
