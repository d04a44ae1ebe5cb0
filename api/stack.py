"""Start and stop the three servers together: the action server, Rasa, and the API.

Used by ``plainrecord run`` (``make run``) and by the end-to-end tests, so the way the system is
started in a test is the way a person starts it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
RASA_BIN = ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL = ROOT / "bot" / "models" / "plainrecord.tar.gz"


class StackError(RuntimeError):
    """A server did not start."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (for tests and benchmarks)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def stop_process(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM a server started in its own process group; SIGKILL it after ``grace`` seconds."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def start_api(env: Mapping[str, str], log_path: Path, *, port: int, host: str = "127.0.0.1",
              extra_args: Sequence[str] = (), timeout: float = 30.0,
              ) -> tuple[subprocess.Popen[bytes], str]:
    """Start the API alone under uvicorn (its own process group) and wait for ``/healthz``.

    Returns:
        The process and its base URL.

    Raises:
        StackError: uvicorn exited, or did not answer within ``timeout`` seconds.
    """
    with log_path.open("ab") as log:
        proc = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", host,
             "--port", str(port), "--log-level", "warning", *extra_args],
            cwd=ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://{host}:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise StackError(f"uvicorn exited; see {log_path}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    stop_process(proc)
    raise StackError(f"uvicorn did not answer in {timeout:.0f} s; see {log_path}")


@dataclass
class StackConfig:
    """Where each server listens, and the environment they share."""

    host: str = "127.0.0.1"
    api_port: int = 8000
    rasa_port: int = 5005
    action_port: int = 5055
    redis_url: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    log_dir: Path = ROOT / "var" / "log"
    model: Path = MODEL

    def url(self, port: int) -> str:
        return f"http://{self.host}:{port}"


def _endpoints_file(cfg: StackConfig) -> Path:
    """Rasa's endpoints: the action server, and Redis tracker + lock stores when configured."""
    name = "endpoints.redis.yml" if cfg.redis_url else "endpoints.yml"
    return ROOT / "bot" / name


class Stack:
    """The three servers as child processes; ``stop()`` (or Ctrl-C) ends all of them."""

    def __init__(self, cfg: StackConfig) -> None:
        self.cfg = cfg
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.cfg.env)
        cfg = self.cfg
        env.update({
            "RASA_TELEMETRY_ENABLED": "false",
            "MPLCONFIGDIR": str(ROOT / ".cache" / "mpl"),
            "SANIC_HOST": cfg.host,  # rasa-sdk binds 0.0.0.0 unless told otherwise
            "PLAINRECORD_API_URL": cfg.url(cfg.api_port),
            "PLAINRECORD_ACTION_URL": f"{cfg.url(cfg.action_port)}/webhook",
            "PLAINRECORD_RASA_URL": cfg.url(cfg.rasa_port),
            "PLAINRECORD_API_HOST": cfg.host,
            "PLAINRECORD_API_PORT": str(cfg.api_port),
        })
        if cfg.redis_url:
            env["REDIS_URL"] = cfg.redis_url
            parsed = httpx.URL(cfg.redis_url)
            env["REDIS_HOST"] = parsed.host or "127.0.0.1"
            env["REDIS_PORT"] = str(parsed.port or 6379)
            env["REDIS_DB"] = (parsed.path or "/0").strip("/") or "0"
        return env

    def _spawn(self, name: str, args: list[str]) -> None:
        self.cfg.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.cfg.log_dir / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(  # noqa: S603 - fixed argument lists, no shell
            args, cwd=ROOT, env=self._env(), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start(self, timeout: float = 180.0) -> None:
        """Start the servers and wait until each answers.

        Raises:
            StackError: a server exited or did not answer within ``timeout`` seconds.
        """
        cfg = self.cfg
        if not cfg.model.exists():
            raise StackError(f"no trained model at {cfg.model}: run scripts/train.sh")
        self._spawn("actions", [sys.executable, "-m", "bot.server", "--actions", "bot.actions",
                                "--port", str(cfg.action_port), "--quiet"])
        self._spawn("rasa", [str(RASA_BIN), "run", "--model", str(cfg.model),
                             "--endpoints", str(_endpoints_file(cfg)),
                             "--credentials", str(ROOT / "bot" / "credentials.yml"),
                             "--interface", cfg.host, "--port", str(cfg.rasa_port),
                             "--enable-api", "--quiet"])
        self._spawn("api", [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
                            "--host", cfg.host, "--port", str(cfg.api_port),
                            "--log-level", "warning"])
        checks = {
            "actions": f"{cfg.url(cfg.action_port)}/health",
            "api": f"{cfg.url(cfg.api_port)}/healthz",
            "rasa": f"{cfg.url(cfg.rasa_port)}/status",
        }
        deadline = time.monotonic() + timeout
        pending = dict(checks)
        while pending:
            for name, url in list(pending.items()):
                if self.procs[name].poll() is not None:
                    self.stop()
                    raise StackError(f"{name} exited; see {cfg.log_dir / (name + '.log')}")
                try:
                    if httpx.get(url, timeout=2).status_code == 200:
                        del pending[name]
                except httpx.HTTPError:
                    pass
            if pending and time.monotonic() > deadline:
                self.stop()
                raise StackError(f"not ready after {timeout:.0f} s: {', '.join(pending)}")
            if pending:
                time.sleep(0.5)

    def stop(self) -> None:
        """Ask every server to stop (all at once), then make sure they have."""
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.procs.values():
            stop_process(proc, grace=max(0.1, deadline - time.monotonic()))
        self.procs.clear()

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
