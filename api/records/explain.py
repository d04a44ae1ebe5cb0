"""Attaching the glossary's plain-English explanations to a record the caller may see."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any, Protocol

from api.records import schemas as s
from api.records.queries import results_for_series
from glossary.model import ResultInput


class GlossaryLike(Protocol):
    """The part of ``glossary.Glossary`` this module uses (see docs/CONTRACTS.md)."""

    def explain_code(self, code: str, system: str = ..., display: str | None = None) -> Any: ...
    def explain_result(self, result: ResultInput, history: Any = ()) -> Any: ...
    def explain_medicine(self, name: str, code: str | None = None,
                         system: str | None = None) -> Any: ...
    def explain_text(self, text: str) -> list[Any]: ...


def _plain(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return dict(value)


def _explanation(value: Any) -> s.ExplanationOut | None:
    plain = _plain(value)
    return None if plain is None else s.ExplanationOut.model_validate(plain)


def _result_input(r: s.ResultOut) -> ResultInput:
    return ResultInput(code=r.code.code if r.code else None,
                       system=r.code.system if r.code else None, name=r.name, value=r.value,
                       unit=r.unit, range_low=r.range_low, range_high=r.range_high,
                       abnormal_flag=r.abnormal_flag,
                       effective=r.effective.isoformat() if r.effective else None)


def _coded(glossary: GlossaryLike, entry: Any) -> s.ExplanationOut | None:
    code = entry.code
    if code is None or not code.code:
        return None
    return _explanation(glossary.explain_code(code.code, code.system or "", code.display))


def explain_record(record: s.RecordOut, glossary: GlossaryLike) -> s.ExplainedRecordOut:
    """The same record, each entry with an ``explanation`` (None when the glossary has none).

    Consultations get ``terms``: the glossary terms and abbreviations found in each line.
    """
    out: dict[str, Any] = {"patient": record.patient}
    if record.results is not None:
        history = {id(r): series for series in results_for_series(record.results).values()
                   for r in series}
        explained = []
        for r in record.results:
            earlier = [_result_input(h) for h in history[id(r)]
                       if h.effective and r.effective and h.effective < r.effective]
            exp = _explanation(glossary.explain_result(_result_input(r), earlier))
            explained.append(s.ExplainedEntry(**r.model_dump(), explanation=exp))
        out["results"] = explained
    if record.medications is not None:
        out["medications"] = [
            s.ExplainedEntry(**m.model_dump(), explanation=_explanation(glossary.explain_medicine(
                m.name, m.code.code if m.code else None, m.code.system if m.code else None)))
            for m in record.medications
        ]
    if record.consultations is not None:
        out["consultations"] = [
            s.ExplainedEntry(**c.model_dump(), explanation=_coded(glossary, c), terms=[
                [_plain(span) or {} for span in glossary.explain_text(line.text)]
                for line in c.entries])
            for c in record.consultations
        ]
    for name in ("problems", "allergies", "immunisations", "procedures", "referrals",
                 "documents"):
        entries = getattr(record, name)
        if entries is not None:
            out[name] = [s.ExplainedEntry(**e.model_dump(), explanation=_coded(glossary, e))
                         for e in entries]
    return s.ExplainedRecordOut(**out)
