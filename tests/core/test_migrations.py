"""The Alembic migrations build exactly the schema the models declare, on both backends."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from competitions.core.db import db
from tests.conftest import BACKENDS, POSTGRES_ADMIN_URL, base_config, postgres_url


def _fresh_postgres(name: str) -> str:
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return postgres_url(name)


@pytest.mark.parametrize("backend", BACKENDS)
def test_upgrade_matches_the_models_and_downgrades_cleanly(backend, tmp_path):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    else:
        url = _fresh_postgres("jingsai_migrations_test")
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == []
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


#: Rows as the schema before judging assessed subjects (revision 5e2b7d1c9a40) kept them.
OLD_ROWS = [
    "INSERT INTO contest (id, code, name, year, tier, starts_on, ends_on, created_at) "
    "VALUES (7, 'SD', '山东省赛', 2026, 'province', '2026-05-10', '2026-05-12', '2026-01-01')",
    "INSERT INTO trade (id, code, name_zh, name_en, industry) "
    "VALUES (1, 'T', '钳工', 'Fitter', '')",
    "INSERT INTO contest_trade (id, contest_id, trade_id, theory_weight, practical_weight, "
    "tie_breaks, no_shared_medal_ranks, award_mode, award_numbers, award_rounding, "
    "honourable_mentions, advancement_mode, advancement_quota, advancement_tie, team_mode, "
    "team_size, team_points, notice_working_days, appeal_window_hours, min_age, max_age) "
    "VALUES (3, 7, 1, 30, 70, 'practical', false, 'proportion', '10,20,30', 'half_up', false, "
    "'top_n', 3, 'all', 'best_n', 3, '8,4,2,1', 5, 2, 16, 60)",
    "INSERT INTO person (id, name, gender, birth_date, id_type, id_number, id_number_hash, phone, "
    "created_at) VALUES (5, '张三', 'M', '1990-01-01', 'passport', 'x', 'h', '', '2026-01-01')",
    "INSERT INTO entry (id, person_id, contest_trade_id, status, created_at) "
    "VALUES (9, 5, 3, 'approved', '2026-01-01')",
    "INSERT INTO user_account (id, username, display_name, password_hash, is_registrar, active, "
    "created_at, must_change_password) VALUES (2, 'judge', '裁判', '!', false, true, "
    "'2026-01-01', false)",
    "INSERT INTO scheme_part (id, contest_trade_id, kind, name, scale_to_100) "
    "VALUES (4, 3, 'practical', '实操', true)",
    "INSERT INTO scheme_item (id, part_id, position, code, criterion, description, kind, "
    "max_mark, scale, step, judges, aggregation) "
    "VALUES (6, 4, 0, 'J1', '', '', 'judgement', 10, 'marks', 1, 1, 'mean')",
    "INSERT INTO panel_member (id, contest_trade_id, user_id, role) VALUES (8, 3, 2, 'judge')",
    "INSERT INTO judge_entry (member_id, entry_id) VALUES (8, 9)",
    "INSERT INTO entry_code (entry_id, contest_trade_id, code) VALUES (9, 3, '701')",
    "INSERT INTO mark (id, entry_id, item_id, judge_id, value, source, updated_at) "
    "VALUES (11, 9, 6, 2, 8, 'judge', '2026-01-01')",
    "INSERT INTO marking_lock (contest_trade_id, locked) VALUES (3, true)",
    "INSERT INTO result_set (contest_trade_id, state, computed_at, version, ranked, unranked, "
    "undecided, decided_order) VALUES (3, 'final', '2026-01-01', 1, 1, 0, '{}', '[]')",
    "INSERT INTO result (entry_id, contest_trade_id, total, rank, advances) "
    "VALUES (9, 3, 56, 1, false)",
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_upgrade_keeps_every_contests_marks_and_results(backend, tmp_path):
    """A database with a marked and final contest-trade, upgraded: each row is still there,
    now under the assessment and the subject with the same ids, and new rows get new ids."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    else:
        url = _fresh_postgres("jingsai_migrations_data_test")
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        upgrade(revision="5e2b7d1c9a40")
        with db.engine.begin() as conn:
            for statement in OLD_ROWS:
                conn.execute(sa.text(statement))
        upgrade()
        with db.engine.connect() as conn:

            def read(sql: str) -> list[tuple]:
                return [tuple(row) for row in conn.execute(sa.text(sql))]

            assert read("SELECT id, kind, contest_id FROM assessment") == [(3, "contest_trade", 7)]
            assert read("SELECT id, kind, assessment_id FROM subject") == [(9, "entry", 3)]
            assert read("SELECT contest_id FROM contest_trade") == [(7,)]
            assert read("SELECT contest_trade_id FROM entry") == [(3,)]
            assert read("SELECT assessment_id, kind FROM scheme_part") == [(3, "practical")]
            assert read("SELECT assessment_id FROM panel_member") == [(3,)]
            assert read("SELECT member_id, subject_id FROM judge_subject") == [(8, 9)]
            assert read("SELECT subject_id, assessment_id, code FROM subject_code") == [
                (9, 3, "701")
            ]
            assert read("SELECT subject_id, item_id, judge_id FROM mark") == [(9, 6, 2)]
            assert read("SELECT assessment_id FROM marking_lock") == [(3,)]
            assert read("SELECT assessment_id, state FROM result_set") == [(3, "final")]
            assert read("SELECT subject_id, assessment_id, rank FROM result") == [(9, 3, 1)]
        with db.engine.begin() as conn:  # the next assessment and subject get the next ids
            new = conn.execute(
                sa.text(
                    "INSERT INTO assessment (kind, contest_id) VALUES ('contest_trade', 7) "
                    "RETURNING id"
                )
            ).scalar()
        assert new == 4
        db.engine.dispose()
