"""``plainrecord screen``: one JSON line per message, from arguments or stdin."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main

ROOT = Path(__file__).resolve().parents[3]


def test_screen_messages_given_as_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "I have chest pain", "my dad had a stroke in 2010"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["verdict"] for line in lines] == ["red_flag", "clear"]
    first, second = lines
    assert first["message"] == "I have chest pain"
    assert (first["category"], first["phrase"]) == ("chest_pain", "chest pain")
    assert first["reason"].startswith("chest_pain")
    assert (second["category"], second["phrase"]) == (None, None)
    assert "history" in second["reason"]
    assert second["matches"][0]["status"] == "history"
    assert set(first) >= {"message", "verdict", "category", "phrase", "reason"}


def test_screen_reads_one_message_a_line_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("cnt brethe\n\nwhat is my blood pressure\r\n"))
    assert main(["screen"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["message"], line["verdict"]) for line in lines] == [
        ("cnt brethe", "red_flag"), ("what is my blood pressure", "clear")]
    assert lines[0]["category"] == "breathing"


def test_the_installed_command_runs_as_a_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "screen"], input="my baby won't wake up\n",
        capture_output=True, text=True, check=True, cwd=ROOT,
    )
    line = json.loads(done.stdout)
    assert (line["verdict"], line["category"]) == ("red_flag", "child")
    assert "won't wake up" not in done.stderr  # nothing about the message is logged
