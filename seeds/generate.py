"""Write the demo contestants and their entries: ``python -m seeds.generate``.

Reads the hand-edited ``units.json``, ``contests.json`` and ``names.json``; writes
``contestants.csv`` and ``entries.csv``. Every draw comes from one ``random.Random(SEED)`` in a
fixed order, so a re-run reproduces the committed files byte for byte (a test checks it).

The contests are filled from the bottom tier up. In each contest-trade the contestants who
advanced from the contest below come first (approved, with ``advanced_from``), then new
contestants from the delegations that do not send advancers, in turn. The first entry and
``advancement_quota - 1`` other approved entries advance to the parent contest.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from competitions.registry.rules import TIER_LEVEL, resident_id_check_char
from seeds.files import (
    CONTESTANT_COLUMNS,
    DATA_DIR,
    ENTRY_COLUMNS,
    GENERATED,
    csv_text,
    read_json,
    walk_units,
)

SEED = 20190510
#: Entries per contest-trade, those who advanced from below included.
FIELD_SIZE = {"enterprise": 12, "city": 9, "province": 13, "national": 10}
#: The share of women among a trade's contestants.
FEMALE_SHARE = {
    "6-20-01-01": 0.12,
    "6-18-02-04": 0.08,
    "6-18-01-07": 0.15,
    "6-20-03-01": 0.10,
    "4-04-04-02": 0.35,
    "6-29-01-01": 0.05,
}
#: The share at 二级/技师 (level 2) by the tier of a contestant's first contest; the rest are
#: at 三级/高级工 (level 3), the standard most contests are set at.
TECHNICIAN_SHARE = {"enterprise": 0.15, "city": 0.2, "province": 0.3, "national": 0.45}
#: Statuses of new entries, with weights (advancers are always approved).
STATUS_WEIGHTS = {"approved": 88, "registered": 5, "withdrawn": 4, "absent": 3}
AGES = (22, 49)


@dataclass(frozen=True)
class Employer:
    """A unit that employs contestants: its region code, its trades and its ancestors."""

    name: str
    region: str
    trades: tuple[str, ...]
    #: The unit's own name, then its parent's, up to the root.
    lineage: tuple[str, ...]


def lineages(units: list[dict]) -> dict[str, tuple[str, ...]]:
    """Every unit's name, then its parent's, up to the root, by unit name."""
    found: dict[str, tuple[str, ...]] = {}
    for node, parent in walk_units(units):
        found[node["name"]] = (node["name"], *(found[parent["name"]] if parent else ()))
    return found


def employers(units: list[dict]) -> dict[str, Employer]:
    """The units that list trades, by name; a unit without a region takes its parent's."""
    lineage_of = lineages(units)
    region_of: dict[str, str | None] = {}
    found = {}
    for node, parent in walk_units(units):
        name = node["name"]
        region_of[name] = node.get("region") or (region_of[parent["name"]] if parent else None)
        if node.get("trades"):
            found[name] = Employer(name, region_of[name], tuple(node["trades"]), lineage_of[name])
    return found


class Generator:
    """Draws contestants and entries, contest by contest from the bottom tier up."""

    def __init__(self, units: list[dict], contests: list[dict], names: dict[str, list[str]]):
        #: Surnames (common ones repeated), given names by gender, mobile prefixes.
        self.word_lists = names
        self.rng = random.Random(SEED)
        self.lineage_of = lineages(units)
        self.employers = employers(units)
        self.contests = sorted(contests, key=lambda c: TIER_LEVEL[c["tier"]])
        self.persons: dict[str, dict] = {}
        self.entries: list[dict] = []
        self.used_names: set[str] = set()
        #: (contest code, trade code) → the id numbers of those who advance to the parent.
        self.advancing: dict[tuple[str, str], list[str]] = {}

    def run(self) -> tuple[list[dict], list[dict]]:
        """All contestants and all entries, in the order they were drawn."""
        for contest in self.contests:
            feeders = [c for c in self.contests if c["parent"] == contest["code"]]
            for index, ct in enumerate(contest["trades"]):
                quota = {**contest.get("settings", {}), **ct}.get("advancement_quota", 3)
                self.fill(contest, ct["trade"], index, feeders, quota)
        return list(self.persons.values()), self.entries

    def fill(self, contest: dict, trade: str, index: int, feeders: list[dict], quota: int):
        """The entries of one contest-trade: advancers first, then new contestants in turn."""
        rows = [
            self.entry(contest, trade, self.persons[id_number], "approved", feeder["code"])
            for feeder in feeders
            for id_number in self.advancing.get((feeder["code"], trade), [])
        ]
        delegations = self.open_delegations(contest, trade, feeders)
        for turn in range(FIELD_SIZE[contest["tier"]] - len(rows)):
            delegation = delegations[(index + turn) % len(delegations)]
            choices = [
                e
                for e in self.employers.values()
                if trade in e.trades and delegation["unit"] in e.lineage
            ]
            person = self.new_person(self.rng.choice(choices), trade, contest)
            status = self.status() if rows else "approved"
            rows.append(self.entry(contest, trade, person, status, ""))
        self.entries.extend(rows)
        if contest["parent"] and quota:
            self.advancing[(contest["code"], trade)] = self.pick_advancing(rows, quota)

    def open_delegations(self, contest: dict, trade: str, feeders: list[dict]) -> list[dict]:
        """Delegations that may send new contestants in a trade (not those that send advancers)."""
        # A delegation at or above the organiser of a contest below sends only its advancers.
        above_feeders = {name for f in feeders for name in self.lineage_of[f["organiser"]]}
        found = [
            d
            for d in contest["delegations"]
            if d["unit"] not in above_feeders
            and any(trade in e.trades and d["unit"] in e.lineage for e in self.employers.values())
        ]
        if not found:
            raise ValueError(f"{contest['code']}: no delegation has an employer for trade {trade}")
        return found

    def delegation_of(self, contest: dict, person: dict) -> str:
        """The delegation whose unit is the nearest to the person's employer, up the tree."""
        lineage = self.employers[person["unit"]].lineage
        by_unit = {d["unit"]: d["name"] for d in contest["delegations"]}
        return next(by_unit[name] for name in lineage if name in by_unit)

    def entry(self, contest: dict, trade: str, person: dict, status: str, source: str) -> dict:
        """An entry row."""
        return {
            "contest": contest["code"],
            "trade": trade,
            "id_number": person["id_number"],
            "name": person["name"],
            "delegation": self.delegation_of(contest, person),
            "status": status,
            "advanced_from": source,
        }

    def status(self) -> str:
        """A new entry's status: mostly approved, a few registered, withdrawn or absent."""
        return self.rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]

    def pick_advancing(self, rows: list[dict], quota: int) -> list[str]:
        """The first entry and ``quota - 1`` other approved ones, in entry order."""
        approved = [i for i, row in enumerate(rows) if row["status"] == "approved"]
        chosen = {approved[0], *self.rng.sample(approved[1:], min(quota - 1, len(approved) - 1))}
        return [rows[i]["id_number"] for i in sorted(chosen)]

    def new_person(self, employer: Employer, trade: str, contest: dict) -> dict:
        """A new contestant of a trade, 22-49 years old at the start of their first contest."""
        male = self.rng.random() >= FEMALE_SHARE[trade]
        name = self.new_name(male)
        start = date.fromisoformat(contest["starts_on"])
        age = self.rng.randint(*AGES)
        birth = start.replace(year=start.year - age) - timedelta(days=self.rng.randint(1, 364))
        id_number = self.new_id_number(employer.region, birth, male)
        level = 2 if self.rng.random() < TECHNICIAN_SHARE[contest["tier"]] else 3
        prefix = self.rng.choice(self.word_lists["mobile_prefixes"])
        phone = f"{prefix}{self.rng.randrange(10**8):08d}"
        person = {
            "id_number": id_number,
            "name": name,
            "gender": "M" if male else "F",
            "birth_date": birth.isoformat(),
            "unit": employer.name,
            "skill_level": level,
            "phone": phone,
        }
        self.persons[id_number] = person
        return person

    def new_name(self, male: bool) -> str:
        """A surname and a given name not used yet in the demo."""
        given = self.word_lists["male_given" if male else "female_given"]
        while True:
            name = self.rng.choice(self.word_lists["surnames"]) + self.rng.choice(given)
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def new_id_number(self, region: str, birth: date, male: bool) -> str:
        """An unused resident ID: region, birth date, a sequence (odd for men) and the check."""
        while True:
            sequence = self.rng.randrange(500) * 2 + (1 if male else 0)
            first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
            number = first17 + resident_id_check_char(first17)
            if number not in self.persons:
                return number


def generate(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """The generated files' contents, by file name."""
    persons, entries = Generator(
        read_json("units.json", data_dir),
        read_json("contests.json", data_dir),
        read_json("names.json", data_dir),
    ).run()
    contents = (csv_text(CONTESTANT_COLUMNS, persons), csv_text(ENTRY_COLUMNS, entries))
    return dict(zip(GENERATED, contents, strict=True))


def main() -> None:
    """Write the generated files into ``seeds/data/``."""
    for name, text in generate().items():
        (DATA_DIR / name).write_text(text, encoding="utf-8", newline="")
        print(f"wrote {DATA_DIR / name}: {text.count(chr(10)) - 1} rows")


if __name__ == "__main__":
    main()
