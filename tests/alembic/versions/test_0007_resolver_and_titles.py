"""0007: placed by the application's resolver over both eras' keys, titled as the engine titles.

Data tests read "migrate up to 0004, insert legacy rows, migrate, assert".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic.config import Config

from tests.support.commands import alembic
from tests.support.history import engine_messages, engine_sessions, legacy_message, seed
from tests.support.history import legacy_session as session

T0 = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)


def placed_by(log: str) -> dict[str, int]:
    """The run log's ``messages placed by`` figures."""
    (line,) = [x for x in log.splitlines() if "S8-06 messages placed by:" in x]
    pairs = line.split("placed by: ", 1)[1].split(", ")
    return {key: int(count.replace(",", "")) for key, count in (p.rsplit(" ", 1) for p in pairs)}


def test_a_message_goes_where_any_of_the_three_keys_names_it_latest_session_first(
    db: sa.Connection, database_url: sa.URL
) -> None:
    by_old = session(started_at=T0, metadata={"openclaw_session_id": "oc-1"})
    by_new = session(started_at=T0, metadata={"aria_session_id": "aria-1"})
    by_either = session(started_at=T0, metadata={"external_session_id": "conv-1"})
    # One id, named by an older session under the old key and a newer one under the new.
    older = session(started_at=T0, metadata={"openclaw_session_id": "shared"})
    newer = session(started_at=T0 + timedelta(days=1), metadata={"aria_session_id": "shared"})
    # Another, named at the same moment under two keys: the greater id wins.
    low, high = sorted([session(started_at=T0), session(started_at=T0)], key=lambda s: s["id"])
    low["metadata"], high["metadata"] = {"external_session_id": "tie"}, {"aria_session_id": "tie"}
    # Never started: any session that did start is later.
    unstarted = session(started_at=None, metadata={"aria_session_id": "late"})
    started = session(started_at=T0, metadata={"openclaw_session_id": "late"})
    messages = {
        ext: legacy_message(external_session_id=ext, created_at=T0)
        for ext in ("oc-1", "aria-1", "conv-1", "shared", "tie", "late")
    }
    with_id = legacy_message(session_id=by_old["id"], external_session_id="aria-1", created_at=T0)
    seed(db, sessions=[by_old, by_new, by_either, older, newer, low, high, unstarted, started],
         messages=[*messages.values(), with_id])  # fmt: skip
    db.commit()

    log = alembic("upgrade", "head", database_url=database_url).stderr

    got = engine_messages(db)
    assert {ext: got[m["id"]].session_id for ext, m in messages.items()} == {
        "oc-1": by_old["id"], "aria-1": by_new["id"], "conv-1": by_either["id"],
        "shared": newer["id"], "tie": high["id"], "late": started["id"],
    }  # fmt: skip
    assert got[with_id["id"]].session_id == by_old["id"]  # its session_id first, always
    assert placed_by(log) == {"session_id": 1, "openclaw_session_id": 2, "aria_session_id": 3,
                              "external_session_id": 1}  # fmt: skip
    live = {s.id for s in engine_sessions(db).values() if not s.archived}
    assert live == {by_old["id"], by_new["id"], by_either["id"], newer["id"], high["id"],
                    started["id"]}  # fmt: skip


def test_titles_are_made_as_the_engine_makes_them(
    db: sa.Connection, alembic_cfg: Config, database_url: sa.URL
) -> None:
    labelled = session(metadata={"openclaw_session": {"label": "From OpenClaw"}})
    padded = session(metadata={"aria_session_id": "padded"})
    long = session()
    blank_first = session()
    silent = session()  # only the assistant spoke
    no_message = session()
    ordered = session()
    a, b = sorted([legacy_message(), legacy_message()], key=lambda m: m["id"])
    messages = [
        legacy_message(session_id=labelled["id"], content="not the title", created_at=T0),
        legacy_message(external_session_id="padded", created_at=T0,
                       content="  \n\tDeploy\r\n  failed   on\u00a0aria-api\u3000 \n"),
        legacy_message(external_session_id="padded", created_at=T0 + timedelta(minutes=1),
                       content="a later question"),
        legacy_message(session_id=long["id"], created_at=T0, content="word " * 40),
        legacy_message(session_id=blank_first["id"], created_at=T0, content=" \n\t "),
        legacy_message(session_id=blank_first["id"], created_at=T0 + timedelta(minutes=1),
                       content="the first words"),
        legacy_message(session_id=silent["id"], role="assistant", content="hello"),
        # Shown in time order: the later row, written first, is not the first message; two at
        # the same moment are shown by id.
        legacy_message(session_id=ordered["id"], created_at=T0 + timedelta(hours=1),
                       content="second"),
        {**a, "session_id": ordered["id"], "created_at": T0, "content": "first by id"},
        {**b, "session_id": ordered["id"], "created_at": T0, "content": "second by id"},
    ]  # fmt: skip
    seed(db, sessions=[labelled, padded, long, blank_first, silent, no_message, ordered],
         messages=messages)  # fmt: skip
    db.commit()

    log = alembic("upgrade", "head", database_url=database_url).stderr

    got = engine_sessions(db)
    titles = {name: (got[s["id"]].title, got[s["id"]].metadata.get("title_source"))
              for name, s in (("labelled", labelled), ("padded", padded), ("long", long),
                              ("blank_first", blank_first), ("silent", silent),
                              ("no_message", no_message), ("ordered", ordered))}  # fmt: skip
    assert titles == {
        "labelled": ("From OpenClaw", "openclaw_session.label"),
        "padded": ("Deploy failed on aria-api", "first user message"),
        "long": (("word " * 40)[:77] + "...", "first user message"),
        "blank_first": ("the first words", "first user message"),
        "silent": (None, None),
        "no_message": (None, None),
        "ordered": ("first by id", "first user message"),
    }
    assert "S8-06 sessions titled from their first user message: 4" in log


def test_titles_never_overwrite_and_come_to_sessions_carried_before_them(
    db: sa.Connection, database_url: sa.URL, engine: sa.Engine
) -> None:
    named_by_user, untitled = session(started_at=T0), session(started_at=T0)
    seed(db, sessions=[named_by_user, untitled], messages=[
        legacy_message(session_id=s["id"], created_at=T0, content=f"hello from {i}")
        for i, s in enumerate((named_by_user, untitled))
    ])  # fmt: skip
    db.commit()
    alembic("upgrade", "head", database_url=database_url)
    # As a run before titles left them, then a user named one of them.
    with engine.begin() as connection:
        before_titles = "SET title = NULL, metadata = metadata - 'title_source'"
        connection.execute(sa.text(f"UPDATE aria_engine.chat_sessions {before_titles}"))
        connection.execute(
            sa.text("UPDATE aria_engine.chat_sessions SET title = 'Mine' WHERE id = :id"),
            {"id": named_by_user["id"]},
        )

    alembic("downgrade", "-1", database_url=database_url)
    log = alembic("upgrade", "head", database_url=database_url).stderr

    got = engine_sessions(db)
    assert (got[named_by_user["id"]].title, got[untitled["id"]].title) == ("Mine", "hello from 1")
    assert "S8-06 sessions titled from their first user message: 1" in log
