"""0007's proof, where only the proof can catch a loss: a placed message kept out of the
archived session it belongs to (something between the statement and the table, here a
trigger, swallows the row). The upgrade must fail whole, with the proof's message."""

from __future__ import annotations

import sqlalchemy as sa

from tests.support.commands import BEFORE_HISTORY, alembic, failure
from tests.support.history import engine_sessions, legacy_message, legacy_session, seed
from tests.support.snapshots import dump, version

SWALLOW = """
CREATE FUNCTION public.swallow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER swallow BEFORE INSERT ON aria_engine.chat_messages_archive
    FOR EACH ROW EXECUTE FUNCTION public.swallow();
"""


def test_a_placed_message_kept_out_of_an_archived_session_fails_the_upgrade_whole(
    db: sa.Connection, database_url: sa.URL, engine: sa.Engine
) -> None:
    session = legacy_session()
    seed(db, sessions=[session])
    db.commit()
    alembic("upgrade", "head", database_url=database_url)
    assert engine_sessions(db)[session["id"]].archived  # no message: into the archive
    seed(db, messages=[legacy_message(session_id=session["id"])])  # a late message for it
    db.commit()
    db.exec_driver_sql(SWALLOW)
    db.commit()
    alembic("downgrade", "-1", database_url=database_url)
    before = dump(database_url)

    result = alembic("upgrade", "head", database_url=database_url, check=False)

    assert failure(result) == (
        "FAILED: S8-06 verification failed: 0 legacy session(s) and 1 placeable message(s) "
        "were not carried into the engine tables; nothing was committed [SQLSTATE P0001]"
    )
    assert dump(database_url) == before
    assert version(engine) == [BEFORE_HISTORY]
