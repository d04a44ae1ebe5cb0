"""Print intent macro-F1 and entity F1 from a ``rasa test nlu`` output folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(folder: str) -> int:
    """Read Rasa's report files and print one line per measure."""
    out = Path(folder)
    intent = json.loads((out / "intent_report.json").read_text())
    print(f"intent macro-F1 on the held-out set: {intent['macro avg']['f1-score']:.3f}")
    entity_file = out / "DIETClassifier_report.json"
    if entity_file.exists():
        entity = json.loads(entity_file.read_text())
        avg = entity.get("macro avg") or entity.get("micro avg") or {}
        print(f"entity macro-F1 on the held-out set: {avg.get('f1-score', float('nan')):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
