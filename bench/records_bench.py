"""Record store benchmark: importing a 1,000-entry bundle, and reading records over HTTP.

Starts a real uvicorn server on 127.0.0.1 (the app, unmodified) against a fresh database, then:

1. imports a synthetic 1,000-entry FHIR R4 bundle (and imports it again: nothing changes);
2. times ``GET /api/patients/{id}/record`` and ``/record/explained`` for a typical demo patient
   (~60 entries) and for the 1,000-entry patient, at 1 and at 20 concurrent clients (httpx).

    .venv/bin/python bench/records_bench.py                       # SQLite and PostgreSQL
    .venv/bin/python bench/records_bench.py --backend sqlite --requests 100

PostgreSQL: a fresh schema in ``--pg-url`` (default the local ``test`` database), dropped after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.db import Database  # noqa: E402
from api.migrations import upgrade  # noqa: E402
from api.records.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from api.records.importer import import_bundle  # noqa: E402
from api.stack import free_port, start_api, stop_process  # noqa: E402

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
TESTS = [("1049301000000100", "59261-8", "HbA1c level (IFCC standardised)", "mmol/mol", 20, 41),
         ("1011481000000105", "62238-1", "eGFR", "mL/min/1.73m2", 90, None),
         ("1005671000000105", "2093-3", "Serum cholesterol level", "mmol/L", None, 5.0),
         ("1000651000000109", "2823-3", "Serum potassium level", "mmol/L", 3.5, 5.3),
         ("1022431000000105", "718-7", "Haemoglobin estimation", "g/L", 130, 170)]
PROBLEMS = [("59621000", "Essential hypertension"), ("44054006", "Type 2 diabetes mellitus"),
            ("49436004", "Atrial fibrillation"), ("195967001", "Asthma"),
            ("35489007", "Depressive disorder")]


def big_bundle(n: int = 1000) -> dict[str, Any]:
    """A synthetic patient with ``n`` entries: results, medicines, problems, consultations."""
    subject = {"reference": "Patient/bench"}
    entries: list[dict[str, Any]] = [{"resource": {
        "resourceType": "Patient", "id": "bench",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9990000018"}],
        "name": [{"family": "Bench", "given": ["Large"]}], "birthDate": "1950-01-01"}}]
    for i in range(n):
        kind = i % 10
        year, month = 2000 + (i // 40) % 26, 1 + i % 12
        when = f"{year}-{month:02d}-{1 + i % 27:02d}T09:00:00Z"
        if kind < 7:
            code, loinc, name, unit, low, high = TESTS[i % len(TESTS)]
            rng: dict[str, Any] = {}
            if low is not None:
                rng["low"] = {"value": low}
            if high is not None:
                rng["high"] = {"value": high}
            res: dict[str, Any] = {
                "resourceType": "Observation", "id": f"obs-{i}", "status": "final",
                "code": {"coding": [{"system": SNOMED, "code": code, "display": name},
                                    {"system": LOINC, "code": loinc}]},
                "subject": subject, "effectiveDateTime": when,
                "valueQuantity": {"value": 40 + (i * 7) % 30, "unit": unit},
                "referenceRange": [rng] if rng else []}
        elif kind == 7:
            res = {"resourceType": "MedicationRequest", "id": f"med-{i}", "status": "active",
                   "intent": "order", "subject": subject, "authoredOn": when[:10],
                   "medicationCodeableConcept": {"text": f"Paracetamol 500mg tablets ({i})"},
                   "courseOfTherapyType": {"coding": [{"code": "acute"}]},
                   "dosageInstruction": [{"text": "2 tablets up to 4 times a day"}]}
        elif kind == 8:
            code, display = PROBLEMS[i % len(PROBLEMS)]
            res = {"resourceType": "Condition", "id": f"cond-{i}", "subject": subject,
                   "code": {"coding": [{"system": SNOMED, "code": code, "display": display}]},
                   "onsetDateTime": when[:10]}
        else:
            res = {"resourceType": "Encounter", "id": f"enc-{i}", "status": "finished",
                   "class": {"code": "AMB"}, "subject": subject, "period": {"start": when},
                   "type": [{"text": "Face to face consultation"}]}
        entries.append({"resource": res})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}



def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(base: str, cookies: httpx.Cookies, path: str, clients: int, total: int) -> dict[str, float]:
    """Latency (ms) of ``total`` GETs spread over ``clients`` threads, each its own client."""
    times: list[float] = []
    lock = threading.Lock()
    errors = [0]

    def worker(count: int) -> None:
        with httpx.Client(base_url=base, cookies=cookies, timeout=120) as c:
            for _ in range(count):
                t = time.perf_counter()
                r = c.get(path)
                elapsed = (time.perf_counter() - t) * 1000
                with lock:
                    times.append(elapsed)
                    if r.status_code != 200:
                        errors[0] += 1

    with httpx.Client(base_url=base, cookies=cookies, timeout=120) as warm:
        warm.get(path)
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(max(1, total // clients),))
               for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.perf_counter() - started
    return {"p50": statistics.median(times), "p95": pct(times, 95), "n": len(times),
            "rps": len(times) / wall, "errors": errors[0]}


def run(backend: str, url: str, requests: int) -> None:
    print(f"\n== {backend} ==")
    db = Database.from_url(url)
    upgrade(url)
    with db.session() as s:
        load_demo(s)
    bundle = big_bundle(1000)
    t = time.perf_counter()
    with db.session() as s:
        report = import_bundle(s, bundle)
    first = time.perf_counter() - t
    t = time.perf_counter()
    with db.session() as s:
        again = import_bundle(s, bundle)
    second = time.perf_counter() - t
    big_id = report.patients[0]
    print(f"import 1,000 entries: {first:.2f} s ({report.created} rows, {len(report.issues)} "
          f"issues); re-import {second:.2f} s ({again.created} created, {again.updated} updated)")
    db.engine.dispose()

    env = {**os.environ, "DATABASE_URL": url, "PLAINRECORD_DEMO_MODE": "true",
           "PLAINRECORD_DATA_DIR": str(Path(tempfile.mkdtemp()))}
    server, base = start_api(env, Path(env["PLAINRECORD_DATA_DIR"]) / "uvicorn.log",
                             port=free_port())
    try:
        def login(username: str) -> httpx.Cookies:
            with httpx.Client(base_url=base) as c:
                r = c.post("/api/login", json={"username": username, "password": DEMO_PASSWORD})
                r.raise_for_status()
                return c.cookies
        patient = login("david")
        with httpx.Client(base_url=base, cookies=patient) as c:
            david_id = c.get("/api/me").json()["patient_id"]
        gp = login("drshah")
        print(f"{'request':<42} {'clients':>7} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'req/s':>7} {'errors':>6}")
        for label, cookies, pid in (("typical patient (~60 entries)", patient, david_id),
                                    ("1,000-entry patient (clinician)", gp, big_id)):
            for suffix in ("record", "record/explained"):
                for clients in (1, 20):
                    n = requests if clients == 1 else max(requests, 2 * clients)
                    m = measure(base, cookies, f"/api/patients/{pid}/{suffix}", clients, n)
                    print(f"{suffix + ' ' + label:<42} {clients:>7} {m['n']:>5} "
                          f"{m['p50']:>8.1f} {m['p95']:>8.1f} {m['rps']:>7.1f} "
                          f"{int(m['errors']):>6}")
    finally:
        stop_process(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        folder = Path(tempfile.mkdtemp())
        run("SQLite", f"sqlite:///{folder / 'bench.sqlite3'}", args.requests)
    if args.backend in ("postgres", "both"):
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.pg_url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            run("PostgreSQL", f"{args.pg_url}?options=-csearch_path%3D{schema}", args.requests)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
