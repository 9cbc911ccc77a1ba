"""Which rows a backup takes: everything, or one contest with what it needs.

A one-contest export starts at the contest and follows foreign keys. Each table of
``CONTEST_PATH`` belongs to the contest through one column, step by step (a mark through its
entry, the entry through its contest-trade, that through the contest). The shared registers
come along where the contest's rows point at them (a person's unit brings its parent units),
and ``LINKS`` come along when every row they point at did. A reference to a row left out (the
contest a lower tier feeds, the entry an entry advanced from, the job that issued a
certificate) is cleared when its column allows, and counted in the manifest. The audit
trail of the shared registers (no contest of its own) stays behind.
"""

from pathlib import Path

from sqlalchemy import select

from competitions.core.db import db

#: How each table's rows belong to a contest: the column that holds the contest's id, or
#: whose foreign key leads to it.
CONTEST_PATH = {
    "contest": "id",
    "audit_log": "contest_id",
    "contest_role": "contest_id",
    "assessment": "contest_id",
    "contest_trade": "contest_id",
    "delegation": "contest_id",
    "certificate_design": "contest_id",
    "certificate_image": "design_id",
    "subject": "assessment_id",
    "entry": "contest_trade_id",
    "entry_attachment": "entry_id",
    "scheme_part": "assessment_id",
    "scheme_item": "part_id",
    "panel_member": "assessment_id",
    "relation_declaration": "assessment_id",
    "judge_item": "member_id",
    "judge_subject": "member_id",
    "subject_code": "subject_id",
    "mark": "subject_id",
    "mark_change": "subject_id",
    "score_sheet": "subject_id",
    "flag_resolution": "subject_id",
    "marking_lock": "assessment_id",
    "lock_event": "assessment_id",
    "code_reveal": "assessment_id",
    "two_layer_encryption": "assessment_id",
    "encryption_draw": "assessment_id",
    "check_in_number": "subject_id",
    "id_reveal": "contest_id",
    "result_set": "assessment_id",
    "result": "subject_id",
    "team_result": "contest_trade_id",
    "honour": "entry_id",
    "promotion": "honour_id",
    "appeal": "subject_id",
    "certificate": "assessment_id",
    "outside_contest": "contest_id",
    "outside_score": "entry_id",
    "direct_recommendation": "entry_id",
    "exam_session": "contest_trade_id",
    "seat_draw": "contest_trade_id",
    "seat": "session_id",
    "check_in": "seat_id",
    "labour_competition": "contest_id",
    "labour_participant": "competition_id",
    "labour_indicator": "competition_id",
    "labour_veto": "competition_id",
    "labour_period": "contest_id",
    "labour_standing": "period_id",
    "labour_report": "period_id",
    "labour_figure": "report_id",
    "labour_evidence": "report_id",
    "labour_incident": "period_id",
    "labour_score": "subject_id",
    "selection_campaign": "contest_id",
    "nominating_body": "campaign_id",
    "selection_nominee": "campaign_id",
    "nominee_attachment": "nominee_id",
    "vote_void": "campaign_id",
    "vote": "campaign_id",
    "selection_expert": "campaign_id",
    "channel_tally": "campaign_id",
    "tie_decision": "campaign_id",
    "innovation_contest": "contest_id",
    "innovation_category": "innovation_id",
    "innovation_submission": "innovation_id",
    "innovation_member": "submission_id",
    "innovation_attachment": "submission_id",
    "innovation_round": "contest_id",
    "innovation_entry": "round_id",
}
#: Registers shared by contests: a row goes along when a row of the contest points at it.
SHARED = ("trade", "unit", "person", "user_account")
#: Small tables about shared rows (a judge's declared relation with a contestant, a person's
#: agreement to the privacy notice): a row goes along when every row it points at did.
LINKS = ("declared_relation", "person_consent")
#: Records of the whole site (background jobs and their files, the audit chain's seals, which
#: cover every contest's records at once; users' second factors, so that a contest's archive
#: carries nobody's authenticator secret or recovery codes): only in a whole-database export.
#: The union's figures (counted again by the workers from the restored rows) and who reads
#: them are the site's too.
SITE_WIDE = (
    "job",
    "job_file",
    "audit_seal",
    "second_factor",
    "recovery_code",
    "stats_reader",
    "figure",
    "figure_year",
)
#: Never in an archive: live sessions (their tokens let people in) and counts of failed
#: log-ins; after a restore everyone logs in again.
NEVER = ("user_session", "login_failure")
#: Columns naming a file of the certificate folder: the file goes along with its row.
FILE_COLUMNS = {"certificate": "file_path"}
#: Keys per query when rows are fetched by their keys.
CHUNK = 1000


class ScopeError(Exception):
    """A contest that cannot be exported; the message says why."""


class Scope:
    """Every row of every table, and every file of the certificate folder."""

    def __init__(self, files=()):
        self.files = set(files)

    def rows(self, conn, table):
        """The table's rows in the archive, in primary key order."""
        return [] if table.name in NEVER else _stream(conn, select(table))

    def clear_dangling(self, table, row: dict) -> list[str]:
        """Clear the row's references to rows left out; returns "table.column" of each."""
        return []

    def note_row(self, table, row: dict) -> None:
        """Take note of a row written (the files it names)."""


def everything(folder: Path) -> Scope:
    """The whole database and the whole certificate folder (PDFs and batch ZIPs)."""
    files = [] if not folder.is_dir() else folder.rglob("*")
    return Scope(
        p.relative_to(folder).as_posix() for p in files if p.is_file() and p.suffix != ".part"
    )


def of_contest(conn, code: str) -> "ContestScope":
    """The contest with this code and what it needs."""
    placed = {*CONTEST_PATH, *SHARED, *LINKS, *SITE_WIDE, *NEVER}
    unplaced = sorted(set(db.metadata.tables) - placed)
    if unplaced:
        raise ScopeError(
            f"Tables {unplaced} are not placed in competitions/backup/services/scope.py: "
            "say there how they relate to a contest."
        )
    contest = db.metadata.tables["contest"]
    contest_id = conn.scalar(select(contest.c.id).where(contest.c.code == code))
    if contest_id is None:
        raise ScopeError(f"No contest has the code {code}.")
    return ContestScope(conn, contest_id)


class ContestScope(Scope):
    """One contest's rows, the shared rows they point at, and its certificates' files."""

    def __init__(self, conn, contest_id: int):
        super().__init__()
        tables = db.metadata.tables
        self.where = {name: _belongs(tables[name], contest_id) for name in CONTEST_PATH}
        #: The keys of the rows in the archive, of every table a foreign key points at.
        self.keys = _shared_keys(conn, self.where)
        for name in _referenced() & set(CONTEST_PATH):
            (key,) = tables[name].primary_key
            self.keys[name] = set(conn.scalars(select(key).where(self.where[name])))

    def rows(self, conn, table):
        if table.name in self.where:
            return _stream(conn, select(table).where(self.where[table.name]))
        if table.name in SHARED:
            return _by_keys(conn, select(table), table, self.keys[table.name])
        if table.name in LINKS:
            return (row for row in super().rows(conn, table) if self._points_inside(table, row))
        return []

    def clear_dangling(self, table, row: dict) -> list[str]:
        cleared = []
        for fk in _id_references(table.foreign_keys):
            value, target = row[fk.parent.name], fk.column.table.name
            if value is None or value in self.keys.get(target, ()):
                continue
            if not fk.parent.nullable:
                raise ScopeError(
                    f"A row of {table.name} points at {target} {value}, outside the contest."
                )
            row[fk.parent.name] = None
            cleared.append(f"{table.name}.{fk.parent.name}")
        return cleared

    def note_row(self, table, row: dict) -> None:
        if table.name in FILE_COLUMNS:
            self.files.add(row[FILE_COLUMNS[table.name]])

    def _points_inside(self, table, row) -> bool:
        return all(
            row[fk.parent.name] in self.keys.get(fk.column.table.name, ())
            for fk in _id_references(table.foreign_keys)
        )


def _id_references(foreign_keys) -> list:
    """The foreign keys to another row's id. A column kept in two tables (a
    contest-trade's contest, an entry's contest-trade) also points at its copy in the supertable
    (``assessment.contest_id``, ``subject.assessment_id``): that is no row's key, and the key
    beside it (``id`` to the supertable's ``id``) is checked already."""
    return [fk for fk in foreign_keys if fk.column.primary_key]


def _belongs(table, contest_id: int):
    """The condition on ``table``'s rows that they belong to the contest (see CONTEST_PATH)."""
    column = table.c[CONTEST_PATH[table.name]]
    if not column.foreign_keys:  # the contest's own id, or a copy of it (the audit log's)
        return column == contest_id
    # A column kept in two tables (an entry's contest-trade is its subject's assessment) has
    # a foreign key to each; either leads to the contest.
    fk = min(_id_references(column.foreign_keys), key=lambda k: k.target_fullname)
    return column.in_(select(fk.column).where(_belongs(fk.column.table, contest_id)))


def _shared_keys(conn, where: dict) -> dict[str, set]:
    """The keys of the shared rows the contest's rows point at, and of those they point at in
    turn (a unit's parent, its parent…), until no new one turns up."""
    tables = db.metadata.tables
    keys = {name: set() for name in SHARED}
    for name, condition in where.items():
        for fk, target in _into_shared(tables[name]):
            found = select(fk.parent).where(condition, fk.parent.is_not(None)).distinct()
            keys[target].update(conn.scalars(found))
    new = {name: set(found) for name, found in keys.items()}
    while any(new.values()):
        found = {name: set() for name in SHARED}
        for name, ids in new.items():
            refs = _into_shared(tables[name])
            if not refs:
                continue
            pointed = select(*(fk.parent for fk, _ in refs))
            for row in _by_keys(conn, pointed, tables[name], ids):
                for (_, target), value in zip(refs, row.values(), strict=True):
                    if value is not None:
                        found[target].add(value)
        new = {name: found[name] - keys[name] for name in SHARED}
        for name in SHARED:
            keys[name] |= new[name]
    return keys


def _into_shared(table) -> list:
    """The table's foreign keys that point at a shared register, with that register's name."""
    refs = [(fk, fk.column.table.name) for fk in table.foreign_keys]
    return [(fk, target) for fk, target in refs if target in SHARED]


def _referenced() -> set[str]:
    """The tables some foreign key points at."""
    return {fk.column.table.name for t in db.metadata.sorted_tables for fk in t.foreign_keys}


def _stream(conn, query):
    """Run a query of whole rows in primary key order, a batch of rows at a time."""
    table = query.get_final_froms()[0]
    ordered = query.order_by(*table.primary_key).execution_options(yield_per=CHUNK)
    return conn.execute(ordered).mappings()


def _by_keys(conn, query, table, keys: set):
    """The rows of a query over ``table`` whose primary key is one of ``keys``, in key order."""
    (key,) = table.primary_key
    ordered = sorted(keys)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        yield from conn.execute(query.where(key.in_(chunk)).order_by(key)).mappings()
