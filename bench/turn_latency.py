"""Turn latency through the whole path, and a bare Rasa turn, in one run on this machine.

Whole path: portal API (login session) -> red-flag screen -> Rasa -> action server -> record API
-> reply, asking "what medicines am I on?". Bare: Rasa's REST webhook with "hello" (a rule that
answers with a response, no custom action). p50 / p95 at 1 and 20 concurrent conversations: the
bench adds 20 logins for the same demo patient, so each client is its own conversation (Rasa
serialises the turns of one conversation).

    .venv/bin/python bench/turn_latency.py [--turns 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from api.accounts.models import User
from api.accounts.service import create_user
from api.db import Database
from api.stack import ROOT, Stack, StackConfig, free_port

BENCH_PASSWORD = "bench-password"



def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def run(label: str, turn, clients: list, turns: int, concurrency: int) -> float:
    def one(i: int) -> float:
        start = time.perf_counter()
        turn(clients[i % len(clients)], i)
        return (time.perf_counter() - start) * 1000

    for i in range(min(5, turns)):
        one(i)  # warm up
    with ThreadPoolExecutor(concurrency) as pool:
        times = list(pool.map(one, range(turns)))
    p50 = statistics.median(times)
    print(f"{label:<34} c={concurrency:<3} n={turns:<5} p50={p50:7.1f} ms  p95={pct(times, 95):7.1f} ms")
    return p50


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="plainrecord-bench-"))
    env = {"PLAINRECORD_DATA_DIR": str(data)}
    subprocess.run([sys.executable, "-m", "api.cli", "demo"], check=True, cwd=ROOT,
                   env={**os.environ, **env}, capture_output=True)
    db = Database.from_url(f"sqlite:///{data / 'plainrecord.sqlite3'}")
    with db.session() as session:
        david = session.query(User).filter_by(username="david").one()
        users = [create_user(session, username=f"bench{i:02d}", password=BENCH_PASSWORD,
                             role="patient", display_name="Bench", patient_id=david.patient_id)
                 .username for i in range(20)]
    db.engine.dispose()
    cfg = StackConfig(api_port=free_port(), rasa_port=free_port(), action_port=free_port(),
                      env=env, log_dir=data / "log")
    with Stack(cfg) as stack:
        api_url, rasa_url = cfg.url(cfg.api_port), cfg.url(cfg.rasa_port)
        portal = []
        for username in users:
            c = httpx.Client(base_url=api_url, timeout=60)
            c.post("/api/login", json={"username": username, "password": BENCH_PASSWORD})
            portal.append(c)
        bare = [httpx.Client(base_url=rasa_url, timeout=60) for _ in range(20)]

        def full(c: httpx.Client, i: int) -> None:
            r = c.post("/api/chat", json={"message": "what medicines am I on?"})
            assert r.status_code == 200 and r.json()["replies"], r.text

        def plain(c: httpx.Client, i: int) -> None:
            r = c.post("/webhooks/rest/webhook", json={"sender": f"bench-{i % 20}", "message": "hello"})
            assert r.status_code == 200 and r.json(), r.text

        print(f"turn latency, {os.cpu_count()} cores, SQLite, in-memory tracker store")
        for conc in (1, 20):
            f = run("portal -> Rasa -> actions -> API", full, portal, args.turns, conc)
            b = run("bare Rasa turn (no custom action)", plain, bare, args.turns, conc)
            print(f"{'ratio whole path / bare Rasa':<34} c={conc:<3} {f / b:.2f}x")
        assert stack.procs
    return 0


if __name__ == "__main__":
    sys.exit(main())
