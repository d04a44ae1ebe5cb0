"""Glossary benchmark: runs without a SNOMED CT licence, on a synthetic release of realistic size.

    .venv/bin/python bench/glossary_bench.py            # ~350k concepts (takes a few minutes)
    .venv/bin/python bench/glossary_bench.py --scale 0.05

Generates an RF2 snapshot (valid SCTIDs, ~3 descriptions and ~1.7 is-a parents per concept,
depth up to 15, some inactive concepts and attribute rows; the curated entries' own codes are
placed inside the hierarchy), imports it with ``plainrecord terminology import-rf2``'s importer,
builds the glossary over it and prints figures:

- explain_code on 10,000 random active codes (p50 / p99, by provenance);
- PyMedTermino's own ``SNOMEDCT[code].term`` and ``ancestors_no_double()`` on the same codes;
- a 500-entry FHIR record explained end to end;
- memory (RSS);
- coverage of the codes in tests/fixtures and any demo records, with the bundled starter set.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from glossary.codes import make_concept_id, verhoeff_check_digit  # noqa: E402
from glossary.content import load_content  # noqa: E402

DATE = "20240101"
MODULE = "999000011000000103"
FSN, SYN = "900000000000003001", "900000000000013009"
PREF, ACC = "900000000000548007", "900000000000549004"
GB = "999001261000000100"
IS_A, SITE = "116680003", "363698007"
ROOT_ID = "138875005"
MAX_DEPTH = 15
WORDS = ["chronic", "acute", "left", "right", "upper", "lower", "joint", "bone", "skin", "lung", "heart", "kidney", "liver", "nerve", "muscle", "disorder", "finding", "pain", "swelling", "infection", "injury", "lesion", "deficiency", "syndrome", "procedure", "review", "assessment"]


def rss_mb() -> float:
    """Current resident memory in MB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    """Peak resident memory in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sid(n: int, partition: str) -> str:
    body = f"{n}{partition}"
    return body + verhoeff_check_digit(body)


def generate(out: Path, n_concepts: int, curated: dict[str, str], seed: int = 7) -> dict[str, int]:
    """Write a synthetic UK-style RF2 snapshot and return its counts."""
    rng = random.Random(seed)
    term = out / "Snapshot" / "Terminology"
    lang = out / "Snapshot" / "Refset" / "Language"
    term.mkdir(parents=True, exist_ok=True)
    lang.mkdir(parents=True, exist_ok=True)
    ids = [ROOT_ID]
    names = {ROOT_ID: ("SNOMED CT Concept", "SNOMED RT+CTV3")}
    curated_codes = list(curated)
    # Curated codes are spread through the hierarchy, each at a random place.
    slots = set(rng.sample(range(50, n_concepts), k=min(len(curated_codes), n_concepts // 25)))
    item = 100000

    def fresh() -> str:
        nonlocal item
        while True:  # never reuse the root or a real code that a curated entry names
            item += 1
            code = str(make_concept_id(item))
            if code not in curated and code != ROOT_ID:
                return code

    for i in range(1, n_concepts):
        if i in slots and curated_codes:
            code = curated_codes.pop()
            names[code] = (curated[code], "disorder")
        else:
            code = fresh()
            names[code] = (" ".join(rng.sample(WORDS, 3)).capitalize() + f" {item}", "disorder")
        ids.append(code)
    # Shaped like SNOMED CT: a primary parent anywhere earlier (so depth grows like log n,
    # capped at 15) and, for 70%, a second parent that is a sibling of the first, so ancestor
    # sets stay near the ~30 a real concept has.
    depth = {ROOT_ID: 0}
    parents: dict[str, list[str]] = {}
    kids: dict[str, list[str]] = {ROOT_ID: []}
    for i, code in enumerate(ids[1:], start=1):
        p = ROOT_ID
        for _try in range(20):
            cand = ids[rng.randrange(i)]
            if depth[cand] < MAX_DEPTH:
                p = cand
                break
        chosen = [p]
        grand = parents.get(p, [None])[0]
        if grand is not None and rng.random() < 0.7:
            sib = rng.choice(kids[grand])
            if sib != p and depth[sib] < MAX_DEPTH:
                chosen.append(sib)
        parents[code] = chosen
        kids[p].append(code)
        kids[code] = []
        depth[code] = 1 + min(depth[x] for x in chosen)
    n_inactive = n_concepts // 14
    inactive = [fresh() for _ in range(n_inactive)]
    counts = {"concepts": len(ids) + len(inactive), "descriptions": 0, "is_a": 0,
              "max_depth": max(depth.values())}
    stamp = f"GB1000000_{DATE}.txt"
    desc_n, rel_n = 1000, 1000
    with (term / f"sct2_Concept_UKCLSnapshot_{stamp}").open("w") as c, \
         (term / f"sct2_Description_UKCLSnapshot-en_{stamp}").open("w") as d, \
         (term / f"sct2_Relationship_UKCLSnapshot_{stamp}").open("w") as r, \
         (lang / f"der2_cRefset_LanguageUKCLSnapshot-en_{stamp}").open("w") as lg:
        c.write("id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId\n")
        d.write("id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\t"
                "caseSignificanceId\n")
        r.write("id\teffectiveTime\tactive\tmoduleId\tsourceId\tdestinationId\t"
                "relationshipGroup\ttypeId\tcharacteristicTypeId\tmodifierId\n")
        lg.write("id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\t"
                 "acceptabilityId\n")
        for code, active in [(x, 1) for x in ids] + [(x, 0) for x in inactive]:
            c.write(f"{code}\t{DATE}\t{active}\t{MODULE}\t900000000000074008\n")
            name, tag = names.get(code, (f"Retired concept {code}", "disorder"))
            terms = [(FSN, f"{name} ({tag})", PREF), (SYN, name, PREF)]
            terms += [(SYN, f"{name} variant {k}", ACC) for k in range(rng.choice((0, 1, 2)))]
            for type_id, text, acc in terms:
                desc_n += 1
                did = _sid(desc_n, "01")
                d.write(f"{did}\t{DATE}\t{active}\t{MODULE}\t{code}\ten\t{type_id}\t{text}\t"
                        "900000000000448009\n")
                lg.write(f"l{desc_n}\t{DATE}\t1\t{MODULE}\t{GB}\t{did}\t{acc}\n")
                counts["descriptions"] += 1
            rels = [(p, IS_A, 1) for p in parents.get(code, [])]
            if active and rng.random() < 0.6:
                rels.append((rng.choice(ids), SITE, 1))
            if not active:
                rels.append((rng.choice(ids), IS_A, 0))
            for dest, typ, ractive in rels:
                rel_n += 1
                r.write(f"{_sid(rel_n, '02')}\t{DATE}\t{ractive}\t{MODULE}\t{code}\t{dest}\t0\t"
                        f"{typ}\t900000000000011006\t900000000000451002\n")
                counts["is_a"] += typ == IS_A and ractive
    return counts


def timed(fn: Callable[[str], object], codes: Iterable[str]) -> list[float]:
    """Microseconds per call."""
    out = []
    clock = time.perf_counter_ns
    for code in codes:
        t = clock()
        fn(code)
        out.append((clock() - t) / 1000)
    return out


def describe(us: list[float]) -> str:
    """p50 / p99 in microseconds."""
    q = statistics.quantiles(us, n=100)
    return f"p50 {statistics.median(us):8.2f} µs   p99 {q[98]:9.2f} µs   (n={len(us)})"


def record_bundle(codes: list[str], content_labs: list[str], meds: list[str], n: int) -> dict:
    """A FHIR bundle of ``n`` entries: mostly problems, some results and medicines."""
    rng = random.Random(3)
    entries = []
    for i in range(n):
        kind = i % 5
        if kind in (0, 1, 2):
            res = {"resourceType": "Condition", "code": {"coding": [
                {"system": "http://snomed.info/sct", "code": rng.choice(codes)}]}}
        elif kind == 3 and content_labs:
            res = {"resourceType": "Observation", "effectiveDateTime": f"2025-0{1 + i % 9}-01",
                   "code": {"text": rng.choice(content_labs)},
                   "valueQuantity": {"value": round(rng.uniform(1, 100), 1), "unit": ""}}
        else:
            res = {"resourceType": "MedicationStatement",
                   "medicationCodeableConcept": {"text": (rng.choice(meds) if meds else "x")
                                                 + " 10mg tablets"}}
        entries.append({"resource": res})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def coverage_report() -> None:
    """Share of real codes in our fixtures and demo records explained by entry/ancestor/term."""
    from glossary import Glossary

    files = [p for p in (ROOT / "tests" / "fixtures").rglob("*.json")]
    files += [p for p in (ROOT / "glossary" / "data").rglob("*.json")]
    files += [p for p in (ROOT / "api").rglob("demo*/*.json")]
    codes: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("system") == "http://snomed.info/sct" and node.get("code"):
                codes.add(str(node["code"]))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for f in files:
        try:
            walk(json.loads(f.read_text()))
        except (ValueError, OSError):
            continue
    g = Glossary.build(snomed_db="")
    tally: dict[str, int] = {}
    for code in codes:
        p = g.codes.provenance_of(code)
        tally[p] = tally.get(p, 0) + 1
    total = max(1, len(codes))
    shares = ", ".join(f"{k} {v} ({100 * v / total:.0f}%)" for k, v in sorted(tally.items()))
    print(f"coverage (starter set) of {len(codes)} SNOMED codes in {len(files)} JSON files: "
          f"{shares}")


def main() -> int:
    """Run the benchmark and print figures."""
    ap = argparse.ArgumentParser(description="glossary benchmark")
    ap.add_argument("--scale", type=float, default=1.0, help="1.0 = 350,000 concepts")
    ap.add_argument("--keep", type=Path, help="keep the generated release and DB here")
    ap.add_argument("--samples", type=int, default=10_000)
    args = ap.parse_args()
    n = max(2000, int(350_000 * args.scale))
    content = load_content()
    curated = {str(code): c.name for c in content.concepts for code in c.codes}
    work = args.keep or Path(tempfile.mkdtemp(prefix="glossary-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"scale {args.scale}: {n} active concepts, {len(curated)} curated codes; in {work}")
    rss0 = rss_mb()

    t = time.perf_counter()
    counts = generate(work / f"SnomedCT_Synthetic_GB_{DATE}", n, curated)
    print(f"generated RF2 in {time.perf_counter() - t:.1f} s: {counts}")

    from glossary.terminology.rf2 import import_rf2

    t = time.perf_counter()
    report = import_rf2(work / f"SnomedCT_Synthetic_GB_{DATE}", work / "db")
    size = report.db_path.stat().st_size / 2**20
    print(f"imported in {time.perf_counter() - t:.1f} s -> {size:.0f} MiB; "
          f"{report.relationships} relationships kept, skipped types "
          f"{report.skipped_relationship_types}; peak RSS {peak_mb():.0f} MB")

    from glossary import Glossary
    from glossary.fhir_explain import explain_bundle

    rss1 = rss_mb()
    t = time.perf_counter()
    g = Glossary.build(snomed_db=str(report.db_path))
    print(f"glossary built in {time.perf_counter() - t:.2f} s; {g.codes.ancestor_table_size} "
          f"codes resolve to a curated ancestor; RSS +{rss_mb() - rss1:.0f} MB "
          f"(now {rss_mb():.0f} MB, before import {rss0:.0f} MB)")

    rng = random.Random(11)
    active = list(g.terminology.term_index)
    sample = rng.sample(active, min(args.samples, len(active)))
    for code in sample[:200]:  # warm up
        g.explain_code(code)
    by_prov: dict[str, list[str]] = {}
    for code in sample:
        by_prov.setdefault(g.codes.provenance_of(code), []).append(code)
    uncovered = [c for c in active if g.codes.provenance_of(c) == "term"][: args.samples]
    print("\nexplain_code (warm):")
    print(f"  all        {describe(timed(g.explain_code, sample))}")
    for prov, codes in sorted(by_prov.items()):
        print(f"  {prov:10} {describe(timed(g.explain_code, codes))}")
    if len(uncovered) > 100:
        print(f"  term only  {describe(timed(g.explain_code, uncovered))}  (all such codes)")

    snomedct = g.terminology._snomedct  # type: ignore[attr-defined]
    print("PyMedTermino on the same codes (its concept cache is weak, so a second pass re-reads):")
    print(f"  SNOMEDCT[code].term      {describe(timed(lambda c: snomedct.SNOMEDCT[int(c)].term, sample))}")
    print(f"  SNOMEDCT[code].term again{describe(timed(lambda c: snomedct.SNOMEDCT[int(c)].term, sample))}")
    anc = sample[:2000]
    print(f"  ancestors_no_double()    {describe(timed(lambda c: list(snomedct.SNOMEDCT[int(c)].ancestors_no_double()), anc))}")

    labs = [lab.name for lab in content.labs]
    meds = [m.name for m in content.medicines]
    bundle = record_bundle(sample, labs, meds, 500)
    explain_bundle(bundle, g)  # builds nothing new, but warms caches
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        items = explain_bundle(bundle, g)
        runs.append(time.perf_counter() - t)
    print(f"\n500-entry record explained end to end: median {1000 * statistics.median(runs):.1f} "
          f"ms over 5 runs ({len(items)} items)")
    t = time.perf_counter()
    g.explain_text("O/E BP 150/95. c/o SOB 3/7. DNA appt.")
    print(f"explain_text first call (builds the matcher): {1000 * (time.perf_counter() - t):.0f} ms")
    note = "O/E BP 150/95, c/o SOB 3/7, Hx asthma, r/v 2/52. " * 4
    print(f"explain_text on a 200-word note: {describe(timed(g.explain_text, [note] * 200))}")
    print(f"\nmemory: RSS now {rss_mb():.0f} MB, peak {peak_mb():.0f} MB")
    coverage_report()
    if not args.keep:
        print(f"(generated files left in {work}; delete when done)")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TQDM_DISABLE", "1")
    raise SystemExit(main())
