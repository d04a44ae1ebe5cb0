"""The Glossary API (docs/CONTRACTS.md) over test content."""

from __future__ import annotations

import textstat

from glossary import Glossary, ResultInput
from glossary.model import LOINC

ALLERGIC_ASTHMA, CHILDHOOD_ASTHMA, ESSENTIAL_HT = "389145006", "233678006", "59621000"


def test_own_entry(full_glossary: Glossary) -> None:
    e = full_glossary.explain_code("195967001")
    assert (e.provenance, e.key, e.title, e.code) == ("entry", "asthma", "Asthma", "195967001")
    assert e.what_happens_next == "Your nurse may check your asthma once a year."


def test_a_test_or_medicine_code_is_explained_as_such(full_glossary: Glossary) -> None:
    lab = full_glossary.explain_code("1107481000000106", display="HbA1c level")
    assert (lab.provenance, lab.key, lab.title) == ("entry", "hba1c", "Average blood sugar (HbA1c)")
    med = full_glossary.explain_code("319283006")
    assert (med.provenance, med.key) == ("entry", "amlodipine")


def test_a_missing_system_means_snomed(full_glossary: Glossary) -> None:
    assert full_glossary.explain_code("195967001", "").key == "asthma"
    assert full_glossary.explain_code("195967001", "http://loinc.org").provenance == "unknown"


def test_nearest_curated_ancestor_is_used_and_said_honestly(full_glossary: Glossary) -> None:
    e = full_glossary.explain_code(ALLERGIC_ASTHMA)
    assert e.provenance == "ancestor" and e.key == "asthma"
    assert e.title == "Allergic asthma"  # its own (en-GB) name, not the ancestor's
    assert e.text.startswith("This is a kind of asthma. Asthma is a lung problem.")
    assert "more exact name" in (e.what_happens_next or "")
    # Essential hypertension's nearest curated ancestor is hypertension, not "disease" above it.
    assert full_glossary.explain_code(ESSENTIAL_HT).key == "hypertension"


def test_the_retired_is_a_row_does_not_make_asthma_high_blood_pressure(
    full_glossary: Glossary,
) -> None:
    assert full_glossary.codes.provenance_of(ALLERGIC_ASTHMA) == "ancestor"
    assert full_glossary.explain_code(ALLERGIC_ASTHMA).key == "asthma"


def test_sensitivity_is_inherited_from_the_ancestor(full_glossary: Glossary) -> None:
    # "Respiratory disorder" is only covered by the sensitive "disease" fixture entry.
    e = full_glossary.explain_code("50043002")
    assert e.key == "disease" and e.sensitive is True


def test_term_only_is_tidied_and_offers_the_practice(full_glossary: Glossary) -> None:
    e = full_glossary.explain_code("39607008")  # Lung structure: no curated ancestor
    assert e.provenance == "term"
    assert e.title == "Lung structure"
    assert "This is a part of the body." in e.text
    assert "(body structure)" not in e.text
    assert "ask the practice" in (e.what_happens_next or "")


def test_starter_set_has_no_hierarchy_but_names_gps_codes(starter_glossary: Glossary) -> None:
    e = starter_glossary.explain_code("22298006")  # a GPS concept with no fixture entry
    assert e.provenance == "term"
    assert e.title == "Myocardial infarction"
    assert "This is a condition." in e.text
    assert starter_glossary.explain_code(ALLERGIC_ASTHMA).provenance == "term"


def test_never_blank(full_glossary: Glossary) -> None:
    for code, display in [("12345", None), ("195967002", "Asthma"), ("XaBcd", "Wheeze"),
                          ("99911000000105", None)]:
        e = full_glossary.explain_code(code, display=display)
        assert e.provenance == "unknown"
        assert e.title and e.text and e.what_happens_next
        if display:
            assert display in e.text
    e = full_glossary.explain_code("XaBcd", system="http://read.info/ctv3", display="Wheeze")
    assert e.provenance == "unknown" and "Wheeze" in e.text


def test_generated_wording_is_plain(full_glossary: Glossary) -> None:
    texts = [
        full_glossary.explain_code(ALLERGIC_ASTHMA).what_happens_next,
        full_glossary.explain_code("39607008").text,
        full_glossary.explain_code("12345").text,
        full_glossary.explain_result(ResultInput(name="HbA1c", value=48, unit="mmol/mol")).text,
    ]
    for text in texts:
        assert text and textstat.flesch_kincaid_grade(text) <= 7, text


def test_result_against_glossary_range_with_change(full_glossary: Glossary) -> None:
    earlier = ResultInput(name="HbA1c", value=44, unit="mmol/mol", effective="2025-01-10")
    r = ResultInput(code="4548-4", system=LOINC, value=48, unit="mmol/mol",
                    effective="2025-07-01")
    x = full_glossary.explain_result(r, [earlier])
    assert (x.key, x.direction, x.change, x.previous_value) == ("hba1c", "above", "up", 44)
    assert (x.range_low, x.range_high) == (20, 41)
    assert x.range_source == "NHS typical range (test fixture)"
    assert "48 millimoles per mole" in x.text
    assert "may be a little different" in x.text
    assert "on 2025-01-10 it was 44. It has gone up." in x.text
    assert "do not always mean something is wrong" not in x.text  # 48 is well above 41
    assert x.what_for and "contact you" in x.what_happens_next


def test_no_reassurance_far_outside_the_range_or_without_one(full_glossary: Glossary) -> None:
    g = full_glossary
    near = g.explain_result(ResultInput(name="HbA1c", value=44, unit="mmol/mol"))
    far = g.explain_result(ResultInput(name="HbA1c", value=90, unit="mmol/mol"))
    flag_only = g.explain_result(ResultInput(name="Something rare", value=152, abnormal_flag="H"))
    assert near.direction == far.direction == flag_only.direction == "above"
    assert "do not always mean something is wrong" in near.text
    assert "do not always mean something is wrong" not in far.text
    assert "do not always mean something is wrong" not in flag_only.text


def test_result_uses_the_labs_own_range_first(full_glossary: Glossary) -> None:
    r = ResultInput(name="glycated haemoglobin", value=45, unit="mmol/mol", range_low=20,
                    range_high=47)
    x = full_glossary.explain_result(r)
    assert (x.direction, x.range_source) == ("in", "lab")
    assert "The lab's range is 20 to 47" in x.text


def test_glossary_range_is_not_used_when_units_differ(full_glossary: Glossary) -> None:
    x = full_glossary.explain_result(ResultInput(name="HbA1c", value=6.5, unit="%"))
    assert x.direction == "unknown" and x.range_low is None


def test_flag_is_used_when_there_is_no_range(full_glossary: Glossary) -> None:
    x = full_glossary.explain_result(ResultInput(name="Something rare", value=3,
                                                 abnormal_flag="L"))
    assert x.direction == "below" and x.key is None


def test_the_labs_flag_wins_over_a_typical_range(full_glossary: Glossary) -> None:
    # 40 is inside the glossary's typical range (20-41), but the lab flagged it high.
    x = full_glossary.explain_result(ResultInput(name="HbA1c", value=40, unit="mmol/mol",
                                                 abnormal_flag="H"))
    assert x.direction == "above"
    assert "The lab marked your result as high." in x.text
    assert "we go by what the lab says" in x.text
    assert "very high" in full_glossary.explain_result(
        ResultInput(name="HbA1c", value=90, unit="mmol/mol", abnormal_flag="HH")).text


def test_no_change_is_claimed_across_different_units(full_glossary: Glossary) -> None:
    old = ResultInput(name="HbA1c", value=7.5, unit="%", effective="2020-01-01")
    x = full_glossary.explain_result(
        ResultInput(name="HbA1c", value=48, unit="mmol/mol", effective="2025-01-01"), [old])
    assert x.change == "none" and x.previous_value is None
    assert "Last time" not in x.text


def test_fuzzy_test_names_do_not_cross_numbers(full_glossary: Glossary) -> None:
    assert full_glossary.explain_result(ResultInput(name="Free T4 ", value=15)).key == "free_t4"
    assert full_glossary.explain_result(ResultInput(name="Free T3", value=5)).key is None
    assert full_glossary.explain_result(ResultInput(name="free thyroxin", value=15)).key == (
        "free_t4"
    )


def test_medicine_by_name_brand_code_and_misspelling(full_glossary: Glossary) -> None:
    g = full_glossary
    m = g.explain_medicine("Amlodipine 5mg tablets")
    assert m and (m.key, m.matched_by) == ("amlodipine", "name")
    m = g.explain_medicine("Ventolin Evohaler 100micrograms/dose inhaler")
    assert m and (m.key, m.matched_by) == ("salbutamol", "brand")
    assert m.title == "Salbutamol" and m.text.startswith("Ventolin is a brand name for salbutamol.")
    m = g.explain_medicine("whatever", code="319283006", system="https://dmd.nhs.uk")
    assert m and (m.key, m.matched_by) == ("amlodipine", "code")
    m = g.explain_medicine("amlodipene")
    assert m and (m.key, m.matched_by) == ("amlodipine", "fuzzy")
    assert "check the spelling" in m.text
    assert g.explain_medicine("Paracetamol 500mg") is None


def test_explain_text_matches_abbreviations_as_written(full_glossary: Glossary) -> None:
    spans = full_glossary.explain_text("O/E BP 150/95. asthma reviewed. bp fine 3/7")
    found = [(s.text, s.explanation.key) for s in spans]
    assert ("O/E", "abbr:O/E") in found
    assert ("BP", "abbr:BP") in found
    assert ("asthma", "asthma") in found
    assert ("3/7", "abbr:x/7") in found
    # All-letter abbreviations match only in capitals, so ordinary words ("as") stay words.
    assert all(text != "bp" for text, _ in found)
    o_e = next(s for s in spans if s.text == "O/E")
    assert (o_e.start, o_e.end) == (0, 3)


def test_negated_conditions_are_not_explained(full_glossary: Glossary) -> None:
    spans = full_glossary.explain_text("No asthma. Asthma in sister. Denies high blood pressure")
    found = [(s.start, s.explanation.key) for s in spans]
    assert found == [(11, "asthma")]


def test_numbered_pattern_abbreviations_say_the_number(full_glossary: Glossary) -> None:
    spans = full_glossary.explain_text("cough 3/7, 1/7 of fever")
    assert [s.explanation.title for s in spans] == ["3/7: 3 days", "1/7: 1 day"]


def test_ambiguous_abbreviation_resolved_by_context_or_both(full_glossary: Glossary) -> None:
    spans = full_glossary.explain_text("DNA appt today, will rebook clinic")
    assert spans[0].explanation.title == "DNA: Did not attend" and spans[0].alternatives == ()
    spans = full_glossary.explain_text("Sent DNA.")
    assert "Did not attend or Deoxyribonucleic acid" in spans[0].explanation.text
    assert len(spans[0].alternatives) == 2


def test_lookup(full_glossary: Glossary) -> None:
    g = full_glossary
    assert (e := g.lookup("what does BP mean?")) and e.key == "abbr:BP"
    assert (e := g.lookup("ASTHMA")) and e.key == "asthma"
    assert (e := g.lookup("high blod pressure")) and e.key == "hypertension"
    assert (e := g.lookup("Ventolin")) and e.key == "salbutamol"
    assert (e := g.lookup("195967001")) and e.key == "asthma"
    assert g.lookup("zzzz qqqq") is None
    assert g.lookup("   ") is None


def test_a_misspelling_close_to_two_medicines_is_not_guessed() -> None:
    from glossary.content import MedicineEntry
    from glossary.medicines import MedicineIndex

    def med(name: str) -> MedicineEntry:
        return MedicineEntry(key=name, name=name.capitalize(), generic=name, used_for="x",
                             sources=["t"], review={"status": "draft"})  # type: ignore[arg-type]

    index = MedicineIndex((med("hydralazine"), med("hydroxyzine")))
    assert index.find("hydralazine 25mg tablets") == (index.by_name["hydralazine"][0], "name")
    # A clear misspelling of one is matched, and flagged as a guess.
    hit = index.find("hydralzine")
    assert hit is not None and hit[0].key == "hydralazine" and hit[1] == "fuzzy"
    # Equally close to both look-alike names: no guess at all.
    assert index.find("hydroazine") is None
