"""Load test: many patients escalating at once against a real uvicorn server on 127.0.0.1.

Each simulated patient (the bot, for its conversation: service token + conversation grant) sends
escalations back to back; one in five is re-sent with the same idempotency key, as a client
would after a timeout. Afterwards the database is read through the queue query and every
acknowledged escalation must be there exactly once.

    .venv/bin/python bench/escalation_load.py                    # 50 patients, 60 s, SQLite
    .venv/bin/python bench/escalation_load.py --seconds 10
    .venv/bin/python bench/escalation_load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/loadtest

Reports: sent, acknowledged (2xx), stored, duplicates, lost, retries answered with the same id,
and request latency p50 / p95 / max. Exit status 1 when anything was lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.stack import StackError, free_port, start_api, stop_process  # noqa: E402


@dataclass
class Tally:
    """What the clients saw."""

    sent: int = 0
    acknowledged: dict[str, str] = field(default_factory=dict)  # idempotency key -> id
    retries: int = 0
    retry_same_id: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)



def _nhs_number(i: int) -> str:
    from api.records.nhs_number import check_digit

    n = 0
    while True:
        first_nine = f"{900000000 + i * 37 + n:09d}"
        digit = check_digit(first_nine)
        if digit is not None:
            return first_nine + str(digit)
        n += 1


def prepare(database_url: str, patients: int) -> list[tuple[str, str]]:
    """Migrate the database and create the patients and their users; (patient_id, user_id)."""
    from api.accounts.service import create_user
    from api.db import Database
    from api.migrations import upgrade
    from api.records.models import Patient
    from api.records.nhs_number import NhsNumber

    upgrade(database_url)
    db = Database.from_url(database_url)
    people = []
    with db.session() as session:
        for i in range(patients):
            patient = Patient(nhs_number=NhsNumber(_nhs_number(i)), given_name=f"Load{i}",
                              family_name="Patient", raw={})
            session.add(patient)
            session.flush()
            user = create_user(session, username=f"load{i}-{uuid.uuid4().hex[:6]}",
                               password=uuid.uuid4().hex, role="patient",
                               display_name=f"Load {i}", patient_id=patient.id)
            people.append((patient.id, user.id))
    db.engine.dispose()
    return people


def start_server(database_url: str, data_dir: Path, redis_url: str | None,
                 workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """Start uvicorn (its own process group) and wait until it answers."""
    env = {**os.environ, "DATABASE_URL": database_url, "PLAINRECORD_DATA_DIR": str(data_dir),
           "PLAINRECORD_DEMO_MODE": "true"}
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    try:
        return start_api(env, data_dir / "uvicorn.log", port=free_port(),
                         extra_args=["--workers", str(workers), "--timeout-graceful-shutdown", "2"])
    except StackError as exc:
        raise SystemExit(str(exc)) from exc


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Stop only the server this script started."""
    stop_process(proc)


async def patient_loop(client: httpx.AsyncClient, headers: dict[str, str], seconds: float,
                       tally: Tally, rng: random.Random) -> None:
    """One patient escalating back to back until time is up."""
    end = time.monotonic() + seconds
    previous: tuple[str, dict[str, object]] | None = None
    while time.monotonic() < end:
        if previous is not None and rng.random() < 0.2:
            key, body = previous  # a client retry: same key, same body
            retry = True
        else:
            key = uuid.uuid4().hex
            body = {"reason": rng.choice(["clinical_question", "record_error", "unresolved"]),
                    "urgency": rng.choice(["urgent", "soon", "routine"]),
                    "patient_words": "Load test question about my record.",
                    "transcript": [{"sender": "patient", "text": "a question"}],
                    "entries": [], "channel": "portal", "contact_preference": "portal",
                    "idempotency_key": key}
            retry = False
        tally.sent += 1
        started = time.perf_counter()
        try:
            response = await client.post("/api/escalations", json=body, headers=headers)
        except httpx.HTTPError as exc:
            tally.failures[type(exc).__name__] += 1
            continue
        tally.latencies_ms.append((time.perf_counter() - started) * 1000)
        if response.status_code not in (200, 201):
            tally.failures[str(response.status_code)] += 1
            continue
        esc_id = response.json()["id"]
        if retry:
            tally.retries += 1
            if tally.acknowledged.get(key) == esc_id:
                tally.retry_same_id += 1
        tally.acknowledged.setdefault(key, esc_id)
        previous = (key, body)


async def run_load(url: str, people: list[tuple[str, str]], seconds: float) -> Tally:
    """All patients at once."""
    from api.accounts.grants import ConversationGrant, mint_grant
    from api.settings import DEMO_SECRET

    tally = Tally()
    limits = httpx.Limits(max_connections=len(people) + 5)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        tasks = []
        for i, (patient_id, user_id) in enumerate(people):
            grant = mint_grant(DEMO_SECRET, ConversationGrant(
                patient_id=patient_id, user_id=user_id, channel="portal",
                conversation_id=f"load-{i}"))
            headers = {"Authorization": f"Bearer {DEMO_SECRET}", "X-Conversation-Grant": grant}
            tasks.append(patient_loop(client, headers, seconds, tally, random.Random(i)))
        await asyncio.gather(*tasks)
    return tally


def verify(database_url: str, tally: Tally) -> tuple[int, int, int]:
    """(stored, duplicates, lost): read back through the queue query."""
    from api.db import Database
    from api.escalation.service import QueueFilters, queue

    db = Database.from_url(database_url)
    with db.session() as session:
        ids = [item.escalation.id for item in queue(session, QueueFilters(), limit=10_000_000)]
        keys = Counter(item.escalation.idempotency_key
                       for item in queue(session, QueueFilters(), limit=10_000_000))
    db.engine.dispose()
    in_queue = Counter(ids)
    duplicates = sum(n - 1 for n in in_queue.values() if n > 1)
    duplicates += sum(n - 1 for n in keys.values() if n > 1)
    duplicates += tally.retries - tally.retry_same_id
    lost = sum(1 for esc_id in tally.acknowledged.values() if in_queue.get(esc_id, 0) != 1)
    return len(ids), duplicates, lost


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--database-url", help="an EMPTY database (default: a temporary SQLite)")
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL",
                                                              "redis://127.0.0.1:6379/0"),
                        help="Redis for live updates ('' for none)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="escalation-load-") as tmp:
        data_dir = Path(tmp)
        database_url = args.database_url or f"sqlite:///{data_dir / 'load.sqlite3'}"
        people = prepare(database_url, args.patients)
        proc, url = start_server(database_url, data_dir, args.redis_url or None, args.workers)
        try:
            started = time.monotonic()
            tally = asyncio.run(run_load(url, people, args.seconds))
            elapsed = time.monotonic() - started
        finally:
            stop_server(proc)
        stored, duplicates, lost = verify(database_url, tally)

    lat = sorted(tally.latencies_ms)
    p95 = lat[int(0.95 * (len(lat) - 1))] if lat else float("nan")
    db_kind = database_url.split(":", 1)[0]
    print(f"escalation load: {args.patients} patients, {elapsed:.1f} s, {db_kind}, "
          f"{args.workers} worker(s), redis={'on' if args.redis_url else 'off'}")
    print(f"  sent          {tally.sent}")
    print(f"  acknowledged  {len(tally.acknowledged) + tally.retries} "
          f"({len(tally.acknowledged)} distinct, {tally.retries} retries; "
          f"{tally.retry_same_id} retries got the same id)")
    print(f"  stored        {stored}")
    print(f"  duplicates    {duplicates}")
    print(f"  lost          {lost}")
    print(f"  failed        {sum(tally.failures.values())} {dict(tally.failures) or ''}")
    print(f"  throughput    {tally.sent / elapsed:.0f} requests/s")
    if lat:
        print(f"  latency ms    p50 {statistics.median(lat):.1f}  p95 {p95:.1f}  max {lat[-1]:.1f}")
    return 1 if lost or duplicates or stored != len(tally.acknowledged) else 0


if __name__ == "__main__":
    sys.exit(main())
