"""Build the bundled starter terminology from the SNOMED CT Global Patient Set (GPS).

The GPS (September 2020, CC BY 4.0, SNOMED International) is a list of ``{code, display}`` with
the display being the fully specified name. We keep exactly that, as a small gzipped TSV, so the
glossary can name common concepts without a licensed release. Run::

    python -m glossary.tools.build_starter /path/to/ValueSet-snomed-intl-gps.json

Output is byte-for-byte reproducible (sorted, gzip mtime 0).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
from pathlib import Path

from glossary.codes import sctid_problem

DEFAULT_SOURCE = Path("/work/shared/data/snomed-gps-2020/ValueSet-snomed-intl-gps.json")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "data" / "snomed_gps_2020.tsv.gz"
ATTRIBUTION = (
    "# SNOMED CT Global Patient Set (GPS) September 2020, based on the SNOMED CT International "
    "Edition 2020-07-31. (c) SNOMED International, licensed under CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/). Derived: codes and fully specified names "
    "only, reformatted as TSV. No endorsement by SNOMED International is implied."
)


def build(source: Path, out: Path) -> int:
    """Write the starter table and return how many concepts it holds.

    Args:
        source: the GPS FHIR ValueSet JSON.
        out: where to write the ``.tsv.gz``.

    Returns:
        The number of concepts written.

    Raises:
        ValueError: if the source holds an invalid code or a display with a tab or newline.
    """
    valueset = json.loads(source.read_text(encoding="utf-8"))
    rows: dict[str, str] = {}
    for include in valueset["compose"]["include"]:
        for concept in include.get("concept", []):
            code, display = concept["code"], concept["display"]
            if problem := sctid_problem(code):
                raise ValueError(f"{code}: {problem}")
            if "\t" in display or "\n" in display:
                raise ValueError(f"{code}: display has a tab or newline")
            rows[code] = display
    buf = io.StringIO()
    buf.write(ATTRIBUTION + "\n")
    for code in sorted(rows, key=int):
        buf.write(f"{code}\t{rows[code]}\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    count = build(args.source, args.out)
    print(f"wrote {count} concepts to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
