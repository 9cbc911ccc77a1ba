"""The demo data files in ``seeds/data/``, read the same way by the generator and the loader."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
#: The files ``seeds/generate.py`` writes; the others are edited by hand.
GENERATED = ("contestants.csv", "entries.csv")
CONTESTANT_COLUMNS = ("id_number", "name", "gender", "birth_date", "unit", "skill_level", "phone")
ENTRY_COLUMNS = ("contest", "trade", "id_number", "name", "delegation", "status", "advanced_from")


def read_json(name: str, data_dir: Path = DATA_DIR):
    """A JSON data file, parsed."""
    return json.loads((data_dir / name).read_text(encoding="utf-8"))


def read_csv(name: str, data_dir: Path = DATA_DIR) -> list[dict[str, str]]:
    """A CSV data file as a list of rows keyed by its header."""
    with open(data_dir / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def csv_text(columns: tuple[str, ...], rows: list[dict]) -> str:
    """Rows as CSV text with a header and "\\n" line ends, so it is the same on every platform."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def walk_units(nodes: list[dict], parent: dict | None = None) -> Iterator[tuple[dict, dict | None]]:
    """Every unit of the tree in ``units.json`` with its parent, parents first, in file order."""
    for node in nodes:
        yield node, parent
        yield from walk_units(node.get("children", []), node)
