"""Who may read what: the pure access rules behind every record endpoint."""

from __future__ import annotations

from api.accounts.principal import ALL_SECTIONS, Principal

ME, CHILD, OTHER = "p-me", "p-child", "p-other"


def test_patient_reads_only_their_own_record() -> None:
    p = Principal(user_id="u", role="patient", patient_id=ME)
    assert p.sections_for(ME) == ALL_SECTIONS
    assert p.sections_for(OTHER) == frozenset()
    assert p.can_read(ME, "record") and not p.can_read(OTHER, "record")
    assert p.can_read_audit(ME) and not p.can_read_audit(OTHER)
    assert not p.include_hidden and not p.is_staff


def test_proxy_is_limited_to_granted_sections() -> None:
    p = Principal(user_id="u", role="proxy",
                  proxy={CHILD: frozenset({"medications", "allergies", "unknown-section"})})
    assert p.sections_for(CHILD) == {"medications", "allergies"}
    assert p.can_read(CHILD, "record") and p.can_read(CHILD, "medications")
    assert not p.can_read(CHILD, "results") and not p.can_read(CHILD, "results/history")
    assert not p.can_read(OTHER, "record")
    assert not p.can_read_audit(CHILD)


def test_staff_read_everything_but_only_clinicians_see_hidden_entries() -> None:
    reception = Principal(user_id="r", role="receptionist")
    gp = Principal(user_id="g", role="clinician")
    assert reception.is_staff and reception.sections_for(OTHER) == ALL_SECTIONS
    assert not reception.include_hidden and gp.include_hidden


def test_a_service_call_is_bound_to_the_grants_patient() -> None:
    bot = Principal(user_id="u", role="patient", patient_id=ME, channel="bot",
                    grant_patient_id=ME)
    assert bot.can_read(ME, "results")
    assert not bot.can_read(OTHER, "results")
    # A grant naming someone else's record gives nothing the user could not see anyway.
    wrong = Principal(user_id="u", role="patient", patient_id=ME, grant_patient_id=OTHER)
    assert wrong.sections_for(OTHER) == frozenset() and wrong.sections_for(ME) == frozenset()


def test_staff_through_a_grant_are_not_staff_and_never_see_hidden() -> None:
    p = Principal(user_id="g", role="clinician", grant_patient_id=ME)
    assert not p.is_staff and not p.include_hidden
    assert p.sections_for(ME) == frozenset()
