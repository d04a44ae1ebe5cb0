"""Record actions against the real record API: the patient's own data, never another's."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from bot.actions.allergies import ActionListAllergies
from bot.actions.consultations import (
    ActionListConsultations,
    ActionListLetters,
    ActionListReferrals,
)
from bot.actions.explain_term import ActionExplainTerm
from bot.actions.formatting import MAX_CHARS
from bot.actions.immunisations import ActionListImmunisations
from bot.actions.medicines import ActionListMedicines, ActionMedicineDetail
from bot.actions.record_summary import ActionRecordSummary
from bot.actions.results import (
    ActionListResults,
    ActionResultDetail,
    ActionResultTrend,
    ActionResultWhyAbnormal,
)
from tests.actions.conftest import Conversation, Turn

Start = Callable[..., Conversation]


def api_get(client: TestClient, services_token: str, grant: str, path: str) -> list[dict]:
    r = client.get(path, headers={"Authorization": f"Bearer {services_token}",
                                  "X-Conversation-Grant": grant})
    assert r.status_code == 200, r.text
    return r.json()


def assert_short(turn: Turn) -> None:
    for message in turn.messages:
        assert len(message.get("text") or "") <= MAX_CHARS, message


def test_medicines_are_the_patients_own_and_never_another_patients(
        conversation: Start, api_for_actions: TestClient, services, grant_for, patient_ids) -> None:
    token = services.settings.service_token
    david = api_get(api_for_actions, token, grant_for("david"),
                    f"/api/patients/{patient_ids['david']}/medications")
    amelia = api_get(api_for_actions, token, grant_for("amelia"),
                     f"/api/patients/{patient_ids['amelia']}/medications")
    turn = conversation("david").run(ActionListMedicines(), "what medicines am I on?",
                                     "my_medicines")
    answer = turn.texts.lower()
    current = [m for m in david if m["status"] != "past"]
    assert current
    for med in current:
        assert re.split(r"\W+", med["name"].lower())[0] in answer
        assert med["dose"].lower() in answer
    for med in amelia:
        assert med["name"].lower() not in answer
        assert re.split(r"\W+", med["name"].lower())[0] not in answer
    assert turn.slot("last_topic") == "medicines"
    assert "utter_medicine_more" in turn.responses
    assert_short(turn)


def test_no_grant_gets_a_kind_reply_and_no_data(conversation: Start) -> None:
    chat = conversation(None)
    for action, intent in ((ActionListMedicines(), "my_medicines"),
                           (ActionListResults(), "my_results"),
                           (ActionRecordSummary(), "record_summary")):
        turn = chat.run(action, "what is on my record", intent)
        assert turn.responses == ["utter_no_grant"]
        assert turn.texts == ""
        assert turn.events == []


def test_a_forged_grant_is_rejected_with_no_data(conversation: Start) -> None:
    chat = conversation("david")
    payload, _, signature = chat.grant.rpartition(".")  # type: ignore[union-attr]
    chat.grant = f"{payload}.{'A' * len(signature)}"
    turn = chat.run(ActionListMedicines(), "what medicines am I on?", "my_medicines")
    assert turn.responses == ["utter_no_grant"]
    assert "atorvastatin" not in turn.texts.lower()


def test_cholesterol_shows_the_latest_value(conversation: Start) -> None:
    turn = conversation("david").run(
        ActionResultDetail(), "what is my cholesterol", "result_detail",
        [{"entity": "test_name", "value": "cholesterol"}])
    # David's newest total cholesterol (20 October 2026) is 4.9; the older 6.8 is not "latest".
    assert "Serum cholesterol level: 4.9 mmol/L on 20 October 2026." in turn.texts
    assert "6.8" not in turn.texts
    assert turn.slot("last_topic") == "results"
    assert turn.slot("last_record_entry")
    assert "utter_ask_feedback" in turn.responses
    assert_short(turn)


def test_kidney_follow_up_in_context_then_trend_and_why(conversation: Start) -> None:
    chat = conversation("david")
    listed = chat.run(ActionListResults(), "have my bloods come back", "my_results")
    assert "HbA1c level (IFCC standardised): 56 mmol/mol" in listed.texts
    assert_short(listed)
    kidney = chat.run(ActionResultDetail(), "and what about my kidney one?", "result_detail",
                      [{"entity": "test_name", "value": "kidney"}])
    assert "71" in kidney.texts and "eGFR" in kidney.texts
    assert "HbA1c" not in kidney.texts
    # "has it gone down?" names no test: the slot from the last answer carries it
    trend = chat.run(ActionResultTrend(), "has it gone down since last time", "result_trend")
    assert "88" in trend.texts and "71" in trend.texts
    assert "It went down since the test before." in trend.texts
    why = chat.run(ActionResultWhyAbnormal(), "why is my hba1c high", "result_why_abnormal",
                   [{"entity": "test_name", "value": "hba1c"}])
    assert "56 mmol/mol" in why.texts
    assert "higher than the usual range" in why.texts
    assert why.responses[-2:] == ["utter_why_abnormal_gp", "utter_offer_send_question"]
    assert chat.slots["pending_offer"] == "clinical"
    assert chat.slots["pending_urgency"] == "soon"
    assert_short(why)


def test_medicine_detail_explains_with_the_glossary(conversation: Start) -> None:
    turn = conversation("david").run(ActionMedicineDetail(), "what is atorvastatin for",
                                     "medicine_detail",
                                     [{"entity": "medicine", "value": "atorvastatin"}])
    assert "Atorvastatin 20mg tablets is on your record as a repeat medicine" in turn.texts
    assert "cholesterol" in turn.texts.lower()
    assert turn.slot("last_glossary_key") == "atorvastatin"
    assert_short(turn)


def test_proxy_wording_names_the_patient(conversation: Start) -> None:
    turn = conversation("sarah", patient="amelia", patient_name="Amelia Rose").run(
        ActionListMedicines(), "what medicines is she on", "my_medicines")
    assert turn.texts.startswith("Amelia's record lists")
    assert "salbutamol" in turn.texts.lower()
    assert "your record" not in turn.texts.lower()


def test_carer_without_results_access_gets_no_results(conversation: Start) -> None:
    # Tom may see Margaret's medications, allergies and immunisations only.
    chat = conversation("tom", patient="margaret", patient_name="Margaret")
    turn = chat.run(ActionListResults(), "what are her results", "my_results")
    assert turn.responses in (["utter_section_hidden"], ["utter_section_empty"])
    assert "mmol" not in turn.texts
    meds = chat.run(ActionListMedicines(), "what medicines is she on", "my_medicines")
    assert meds.texts.startswith("Margaret's record lists")


def test_summary_lists_problems_in_plain_words(conversation: Start) -> None:
    turn = conversation("david").run(ActionRecordSummary(), "whats on my record",
                                     "record_summary")
    assert "Type 2 diabetes mellitus" in turn.texts
    assert "Essential hypertension" in turn.texts
    assert "Low back pain" not in turn.texts  # past problem
    assert re.search(r"\d+ current medicines", turn.texts)
    assert_short(turn)


def test_other_sections_come_from_the_record(conversation: Start, api_for_actions: TestClient,
                                             services, grant_for, patient_ids) -> None:
    token, grant = services.settings.service_token, grant_for("david")
    chat = conversation("david")
    for action, section, intent in (
            (ActionListAllergies(), "allergies", "allergies"),
            (ActionListImmunisations(), "immunisations", "immunisations"),
            (ActionListConsultations(), "consultations", "consultations"),
            (ActionListReferrals(), "referrals", "referrals"),
            (ActionListLetters(), "documents", "letters")):
        entries = api_get(api_for_actions, token, grant,
                          f"/api/patients/{patient_ids['david']}/{section}")
        turn = chat.run(action, f"show my {section}", intent)
        assert_short(turn)
        if entries:
            newest = max(entries, key=lambda e: e.get("date") or e.get("effective") or
                         e.get("recorded") or e.get("sent") or "")
            expected = newest.get("kind") or newest["display"]  # consultations: their kind
            assert expected in turn.texts, (section, turn.texts)
        else:
            assert turn.texts == "" or "no allergies" in turn.texts


def test_explain_term_uses_the_glossary(conversation: Start) -> None:
    chat = conversation("david")
    turn = chat.run(ActionExplainTerm(), "what does eGFR mean", "explain_term",
                    [{"entity": "term", "value": "eGFR"}])
    assert "kidneys" in turn.texts
    assert turn.slot("last_glossary_key") == "abbr:eGFR"
    assert "utter_ask_feedback" in turn.responses
    unknown = chat.run(ActionExplainTerm(), "what does flurbogastic mean", "explain_term",
                       [{"entity": "term", "value": "flurbogastic"}])
    assert unknown.responses[0] == "utter_term_unknown"
    sms = conversation("david", channel="sms").run(
        ActionExplainTerm(), "what does HbA1c mean", "explain_term",
        [{"entity": "term", "value": "HbA1c"}])
    assert "utter_ask_feedback_sms" in sms.responses


def test_follow_up_about_a_medicine_after_the_medicines_list(conversation: Start) -> None:
    chat = conversation("david")
    chat.run(ActionListMedicines(), "what meds am i on", "my_medicines")
    # the NLU tagged "ramipril" as a test name: the last topic (medicines) decides
    turn = chat.run(ActionResultDetail(), "and what about the ramipril?", "result_detail",
                    [{"entity": "test_name", "value": "ramipril"}])
    assert "Ramipril 5mg capsules is on your record as a repeat medicine" in turn.texts
    assert turn.slot("last_topic") == "medicines"


def test_a_new_results_list_forgets_the_test_asked_about_before(conversation: Start) -> None:
    chat = conversation("david")
    chat.run(ActionResultDetail(), "my kidney test", "result_detail",
             [{"entity": "test_name", "value": "kidney"}])
    chat.run(ActionListResults(), "show my results", "my_results")
    assert chat.slots["test_name"] is None
    why = chat.run(ActionResultWhyAbnormal(), "why is it high", "result_why_abnormal")
    assert "HbA1c level (IFCC standardised): 56 mmol/mol" in why.texts


def test_a_malformed_grant_gets_no_data(conversation: Start) -> None:
    chat = conversation("david")
    chat.grant = "not-a-grant"
    turn = chat.run(ActionListResults(), "my results", "my_results")
    assert turn.responses == ["utter_no_grant"]
    assert turn.texts == ""


def test_allergies_are_listed_with_their_reactions(conversation: Start,
                                                  api_for_actions: TestClient, services,
                                                  grant_for, patient_ids) -> None:
    token = services.settings.service_token
    shown = 0
    for user in ("amelia", "margaret", "chloe", "robert"):
        allergies = api_get(api_for_actions, token, grant_for(user),
                            f"/api/patients/{patient_ids[user]}/allergies")
        if not allergies:
            continue
        turn = conversation(user).run(ActionListAllergies(), "am i allergic to anything",
                                      "allergies")
        assert_short(turn)
        for allergy in allergies:
            assert allergy["display"] in turn.texts
            if allergy.get("reaction"):
                assert allergy["reaction"] in turn.texts
        shown += 1
    assert shown, "the demo data should have at least one patient with allergies"


def test_trend_sends_a_chart_of_the_patients_own_values_oldest_first(
        conversation: Start, api_for_actions: TestClient, services, grant_for,
        patient_ids) -> None:
    token = services.settings.service_token
    history = api_get(api_for_actions, token, grant_for("david"),
                      f"/api/patients/{patient_ids['david']}/results/history")
    amelia = api_get(api_for_actions, token, grant_for("amelia"),
                     f"/api/patients/{patient_ids['amelia']}/results/history")
    egfr = next(s for s in history if "egfr" in s["name"].lower())
    expected = sorted((p["effective"][:10], p["value"]) for p in egfr["points"]
                      if isinstance(p["value"], int | float))
    assert len(expected) >= 2
    turn = conversation("david").run(ActionResultTrend(), "has my kidney result changed",
                                     "result_trend", [{"entity": "test_name", "value": "kidney"}])
    charts = [m["custom"]["chart"] for m in turn.messages if (m.get("custom") or {}).get("chart")]
    chart = next(c for c in charts if c["title"] == egfr["name"])
    dates = [p["date"] for p in chart["points"]]
    assert dates == sorted(dates)
    assert [(p["date"], p["value"]) for p in chart["points"]] == expected
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates)
    assert chart["unit"] == egfr["unit"]
    assert {"title", "unit", "points", "range_low", "range_high"} <= chart.keys()
    # only David's own values: none of Amelia's series are drawn
    amelia_values = {(p["effective"][:10], p["value"]) for s in amelia for p in s["points"]}
    for drawn in charts:
        assert not {(p["date"], p["value"]) for p in drawn["points"]} & amelia_values
    # the text still says it all (SMS gets no chart)
    assert "88" in turn.texts and "71" in turn.texts
    sms = conversation("david", channel="sms").run(
        ActionResultTrend(), "has my kidney result changed", "result_trend",
        [{"entity": "test_name", "value": "kidney"}])
    assert not any(m.get("custom") for m in sms.messages)
    assert "88" in sms.texts and "71" in sms.texts
