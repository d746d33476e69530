"""Mutants planted by ``make mutate``: each a small, plausible bug in the data revision,
``db/verify/check.py`` or the run machinery, with the tests that must catch it. A mutant that
survives names a test that is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

REVISION = "alembic/versions/0007_s8_06_placed_and_titled.py"
VERIFY = "db/verify/check.py"
RUN = "db/migrate/run.py"
T = "tests/alembic/versions/"
VIEW = T + "test_0007_engine_view.py"
MAPPING = T + "test_0007_s8_06_placed_and_titled.py"
OFFLINE = T + "test_0007_offline_sql.py"
PROPERTIES = T + "test_0007_properties.py"
BATCHES = T + "test_0007_batches.py"
TEST_VERIFY = "tests/db/verify/test_verify.py"
ERAS = "tests/alembic/test_aria_eras.py"
KEPT = "tests/alembic/test_history_kept.py"
FENCE = "tests/test_fence.py"
SCRIPT = "tests/alembic/test_offline_script.py"
MESSAGE_CLASH = (
    "        (live_copy.c.id.is_not(None) | archived_copy.c.id.is_not(None), "
    'lit("message id clash")),'
)
SESSION_CLASH = '        (session_held & ~session_carried, lit("session id clash")),'
VERIFY_SESSION_CLASH = '        (owner.c.status == "not_migrated", "session id clash"),'
VERIFY_ARRIVED = '        (~read_by_last_run(m, sources.snapshot), "arrived"),'
EARLIER = KEPT + "::test_a_database_an_earlier_release_migrated_ends_as_a_fresh_one_does"
RESOLVER = T + "test_0007_resolver_and_titles.py"
PROOF = T + "test_0007_proof.py"
FIX_FORWARD = "tests/alembic/test_fix_forward.py"
TITLES = "tests/db/migrate/test_titles.py"
ENV = "tests/alembic/test_env.py"
CARRY = "tests/alembic/test_carry.py"
FINISH = "tests/db/finish/test_finish.py"
MODE = "tests/alembic/test_run_mode.py"
UNIT_MODE = "tests/db/migrate/test_mode.py"
UNIT_RUN = "tests/db/migrate/test_run.py"


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    original: str
    mutated: str
    tests: tuple[str, ...]


MUTANTS = [
    Mutant("created_at falls back to the end before the first message", REVISION,
           "coalesce(s.c.started_at, stats.c.first_message_at, s.c.ended_at)",
           "coalesce(s.c.started_at, s.c.ended_at, stats.c.first_message_at)", (VIEW, MAPPING)),
    Mutant("a dangling session id is labelled unknown external id", REVISION,
           '(m.c.session_id.is_not(None), lit("unknown session id"))',
           '(m.c.session_id.is_not(None), lit("unknown external id"))', (VIEW,)),
    Mutant("the self-check ignores missing sessions", REVISION,
           ".where(~pinned.c.clash, ~held(carried_session, pinned.c.session_id))",
           ".where(sa.false())", (VIEW, MAPPING)),
    Mutant("a dangling session id is placed by its external id", REVISION,
           "sa.and_(m.c.session_id.is_(None), by_ext.c.external_id == m.c.external_session_id)",
           "by_ext.c.external_id == m.c.external_session_id", (VIEW, PROPERTIES)),
    Mutant("a native message on a legacy id counts as placed", REVISION,
           '(live_copy.c.id.is_not(None) | archived_copy.c.id.is_not(None), lit("message id '
           'clash")),', "", (VIEW,)),
    Mutant("heartbeats are listed among the user's chats", REVISION,
           '"openclaw_heartbeat": "cron",', '"openclaw_heartbeat": "interactive",',
           (VIEW, PROPERTIES)),
    Mutant("a session with no time at all sorts above live chats", REVISION,
           "created_at = sa.func.coalesce(o.began, earliest_legacy_time(legacy))",
           "created_at = sa.func.coalesce(o.began, sa.func.now())", (VIEW,)),
    Mutant("any JSON value is a model", REVISION,
           'name_field(o.metadata, "model"), name_field',
           'field(o.metadata, "model"), name_field', (VIEW, PROPERTIES)),
    Mutant("late messages leave their session's count behind", REVISION,
           "count_late_messages(LIVE, batch)),", "sa.select(lit(1))),", (VIEW,)),
    Mutant("a late message moves updated_at back", REVISION,
           "updated_at=sa.func.greatest(e.c.updated_at, late.c.last_message_at)",
           "updated_at=late.c.last_message_at", (VIEW,)),
    Mutant("a batch's sessions and messages commit apart", RUN,
           "            with committed(connection):", "            if True:",
           (BATCHES + "::test_killed_mid_run_then_run_again_misses_nothing_and_doubles_nothing",)),
    Mutant("SQL NULL metadata becomes a JSON null", "db/migrate/envelope.py",
           'whole.op("-", return_type=JSONB)(lit("original_metadata"))', "whole", (MAPPING,)),
    Mutant("white space is not blank", "db/migrate/expressions.py",
           'regexp_match(lit("^[[:space:]]*$"))', 'regexp_match(lit("^$"))', (MAPPING,)),
    Mutant("a shared external id goes to the smaller id on a tie", REVISION,
           "keyed.c.started_at.desc().nulls_last(), keyed.c.id.desc(), keyed.c.key",
           "keyed.c.started_at.desc().nulls_last(), keyed.c.id.asc(), keyed.c.key",
           (MAPPING, PROPERTIES)),
    Mutant("updated_at ignores the last message", REVISION,
           "sa.func.greatest(o.started_at, o.ended_at, o.last_message_at)",
           "sa.func.greatest(o.started_at, o.ended_at)", (MAPPING,)),
    Mutant("an undated message gets the migration's clock", REVISION,
           "sa.func.coalesce(o.created_at, session_created_at)",
           "sa.func.coalesce(o.created_at, sa.func.now())", (MAPPING,)),
    Mutant("migrated sessions stay active", REVISION, '"status": lit("ended"),',
           '"status": lit("active"),', (MAPPING,)),
    Mutant("progress overshoots on a short last batch", "db/migrate/batches.py",
           "self.done = min(self.done + rows, self.total)", "self.done = self.done + rows",
           ("tests/db/migrate/test_batches.py",
            BATCHES + "::test_batches_give_the_rows_one_transaction_gives")),
    Mutant("verify: a blank agent is its own agent", VERIFY,
           'regexp_match("^[[:space:]]*$")', 'regexp_match("^$")', (TEST_VERIFY,)),
    Mutant("verify: a tie goes to the smaller id", VERIFY,
           "keyed.c.started_at.desc().nulls_last(), keyed.c.id.desc())",
           "keyed.c.started_at.desc().nulls_last(), keyed.c.id.asc())", (TEST_VERIFY,)),
    Mutant("verify: a row a native engine row holds the id of is missing", VERIFY,
           'whens += [(carried, "removed"), (live.c.id.is_not(None), clash)]',
           'whens += [(carried, "removed")]', (TEST_VERIFY,)),
    Mutant("verify: archived rows are removed", VERIFY,
           '        whens.append((carried & archived.c.id.is_not(None), "archived"))',
           "        pass", (TEST_VERIFY,)),
    Mutant("verify: a row deleted since is missing", VERIFY,
           'whens += [(carried, "removed"),', 'whens += [(sa.false(), "removed"),',
           (TEST_VERIFY,)),
    Mutant("verify: a message of a session deleted since is missing", VERIFY,
           '(owner.c.status == "removed", "session removed"),', "", (KEPT,)),
    Mutant("verify: nothing to verify says COMPLETE", VERIFY,
           "if self.nothing_to_verify:", "if False:", (TEST_VERIFY, ERAS)),
    Mutant("the guard lets an empty schema through", "db/migrate/eras.py",
           "    IF elsewhere IS NOT NULL THEN", "    IF false THEN", (ERAS,)),
    Mutant("the legacy tables are always read in public", "db/deploy/legacy_schema.py",
           "        return with_rows[0]", "        return DEFAULT", (ERAS,)),
    Mutant("an earlier release's ids stay in the application's table", "db/deploy/version_table.py",
           "sa.delete(shared_version).where(shared_version.c.version_num.in_(found))",
           "sa.select(shared_version.c.version_num)", (ERAS,)),
    Mutant("a DESC index is not seen as covering", "db/migrate/adoption.py",
           'key.removesuffix(" DESC")', "key", (ERAS,)),
    # Issue 18: where the engine keeps it, once, with a record the application cannot break.
    Mutant("sessions without a message go live, where the ghost purge deletes them", REVISION,
           "pinned.c.placed > lit(0) if where == LIVE else pinned.c.placed == lit(0),",
           "sa.true() if where == LIVE else sa.false(),", (KEPT,)),
    Mutant("a re-run writes again what the record holds", REVISION,
           "~pinned.c.carried, ~pinned.c.clash,", "~pinned.c.clash,", (KEPT,)),
    Mutant("the proof looks for messages in the live table, not the record", REVISION,
           "~held(carried_message, placement.c.message_id),",
           "~held(live_message, placement.c.message_id),",
           (KEPT + "::test_a_run_beside_the_loops_ends_with_everything_carried",)),
    Mutant("a late message of an archived session is dropped", REVISION,
           "else placement.c.late & now_there", "else sa.false()", (KEPT,)),
    Mutant("archived sessions do not count their late messages", REVISION,
           "count_late_messages(ARCHIVE, batch)),", "sa.select(lit(1))),", (KEPT,)),
    Mutant("a late message of a session deleted since is written", REVISION,
           '(session_carried & ~session_held, lit("session removed")),', "", (KEPT,)),
    Mutant("an unknown token total stays NULL", REVISION,
           '"total_tokens": sa.func.coalesce(o.tokens_used, lit(0)),',
           '"total_tokens": o.tokens_used,', (KEPT,)),
    Mutant("a run takes the number of the one before", "db/migrate/record.py",
           "number = sa.func.coalesce(this_run(runs), lit(0)) + lit(1)",
           "number = sa.func.coalesce(this_run(runs), lit(1))", (KEPT,)),
    Mutant("adoption leaves an earlier release's empty sessions live", REVISION,
           "s.c.message_count == lit(0),  # what the ghost purge deletes",
           "s.c.message_count == lit(-1),", (EARLIER,)),
    Mutant("adoption leaves an earlier release's NULL totals", REVISION,
           ".where(*unrecorded, s.c.total_tokens.is_(None) | s.c.total_cost.is_(None))",
           ".where(sa.false())", (EARLIER,)),
    Mutant("adoption does not record an earlier release's messages", REVISION,
           "record_found((live_message, archived_message), carried_message, MIGRATED_MESSAGE,",
           'record_found((live_message, archived_message), carried_message, "no such table",',
           (EARLIER,)),
    # Issue 19: the fence. A revision that imports the live models, or machinery that does.
    Mutant("a revision imports the live models", REVISION,
           "from db.migrate.steps import steps_said\n",
           "from db.migrate.steps import steps_said\nfrom db.schema import metadata\n",
           (FENCE,)),
    Mutant("the machinery imports the live models", "db/migrate/record.py",
           "import sqlalchemy as sa\n", "import sqlalchemy as sa\n\nimport db.schema.carried\n",
           (FENCE,)),
    # Issue 19: behaviours no test held, and the script an operator reviews.
    Mutant("a message whose id and whose session's id are taken is a session id clash", REVISION,
           MESSAGE_CLASH + "\n" + SESSION_CLASH, SESSION_CLASH + "\n" + MESSAGE_CLASH, (VIEW,)),
    Mutant("verify: a message whose id and whose session's id are taken is a session id clash",
           VERIFY, "        *whens,\n" + VERIFY_ARRIVED + "\n" + VERIFY_SESSION_CLASH,
           VERIFY_SESSION_CLASH + "\n        *whens,\n" + VERIFY_ARRIVED, (VIEW,)),
    Mutant("legacy tables empty in both schemas are read in public", "db/deploy/legacy_schema.py",
           "return with_tables[-1] if with_tables else DEFAULT",
           "return with_tables[0] if with_tables else DEFAULT", (ERAS,)),
    Mutant("an invalid index counts as covering", "db/migrate/adoption.py",
           "AND i.indisvalid AND i.indpred IS NULL", "AND i.indpred IS NULL", (ERAS,)),
    Mutant("an index left invalid under our name is kept", "db/migrate/adoption.py",
           "            DROP INDEX {qualified};", "            NULL;", (ERAS,)),
    Mutant("a script applied twice runs again", "db/deploy/version_table.py",
           "    IF at IS DISTINCT FROM {expected} THEN", "    IF false THEN", (SCRIPT,)),
    Mutant("our version table is written in one long line", "db/deploy/version_table.py",
           'return _CLAUSE.sub(lambda clause: f"\\n{clause.group(1)} ", sql)', "return sql",
           (SCRIPT,)),
    # Issue 25: the application's resolver over both eras, titles, and three unheld behaviours.
    Mutant("the resolver forgets the key the application uses since 2026-02-19", REVISION,
           'EXTERNAL_ID_KEYS = ("openclaw_session_id", "aria_session_id", "external_session_id")',
           'EXTERNAL_ID_KEYS = ("openclaw_session_id", "external_session_id")',
           (RESOLVER, ERAS)),
    Mutant("verify forgets the key the application uses since 2026-02-19", VERIFY,
           'EXTERNAL_ID_KEYS = ("openclaw_session_id", "aria_session_id", "external_session_id")',
           'EXTERNAL_ID_KEYS = ("openclaw_session_id", "external_session_id")',
           (ERAS, FIX_FORWARD)),
    Mutant("the resolver prefers the key over the latest session", REVISION,
           "external_id, keyed.c.started_at.desc().nulls_last(), keyed.c.id.desc(), keyed.c.key",
           "external_id, keyed.c.key, keyed.c.started_at.desc().nulls_last(), keyed.c.id.desc()",
           (RESOLVER,)),
    Mutant("a title overwrites one a user set", REVISION,
           "no_title = e.c.title.is_(None)", "no_title = sa.true()", (RESOLVER, FIX_FORWARD)),
    Mutant("the title comes from the last user message", REVISION,
           ".order_by(m.c.session_id, m.c.created_at, m.c.id)",
           ".order_by(m.c.session_id, m.c.created_at.desc(), m.c.id)", (RESOLVER,)),
    Mutant("a blank first user message titles its chat", REVISION,
           'm.c.role == lit("user"), has_text(m.c.content)', 'm.c.role == lit("user")',
           (RESOLVER, FIX_FORWARD)),
    Mutant("a long title is cut without its ellipsis", "db/migrate/titles.py",
           "sa.func.left(text, lit(KEPT)) + lit(ELLIPSIS)", "sa.func.left(text, lit(LONGEST))",
           (TITLES, RESOLVER)),
    Mutant("the proof stops checking messages whose session went to the archive", REVISION,
           "            held(live_session, placement.c.session_id)\n"
           "            | held(archived_session, placement.c.session_id),",
           "            held(live_session, placement.c.session_id),", (PROOF,)),
    Mutant("an earlier release's archived messages are not recorded as its own", REVISION,
           "record_found((live_message, archived_message), carried_message, MIGRATED_MESSAGE,",
           "record_found((live_message,), carried_message, MIGRATED_MESSAGE,", (FIX_FORWARD,)),
    Mutant("a 64-byte schema name is taken, and cut short by the server",
           "db/deploy/legacy_schema.py", "LONGEST_NAME = 63", "LONGEST_NAME = 64",
           (ENV, TEST_VERIFY)),
    # Issue 26: late is not lost, the scheduled carry, finishing only when it is safe.
    Mutant("every row counts as read by the last run", "db/verify/arrived.py",
           "    if not snapshot:\n        return sa.true()",
           "    if True:\n        return sa.true()", (CARRY,)),
    Mutant("rows that arrived since make verify exit 0", VERIFY,
           "return ARRIVED_SINCE if self.arrived else COMPLETE", "return COMPLETE", (CARRY,)),
    Mutant("the carry runs away from head", "alembic/env.py", "    if at != head:",
           "    if False:", (CARRY,)),
    Mutant("a carry with nothing arrived runs anyway", "alembic/env.py",
           "    if since is not None and since.nothing:", "    if False:", (CARRY,)),
    Mutant("retire ignores what the watch window saw", "db/finish/command.py",
           "    if uses:", "    if False:", (FINISH,)),
    Mutant("retire ignores a loss", "db/finish/command.py",
           "        verified_clean(connection, schema)\n",
           "        pass\n", (FINISH,)),
    Mutant("drop comes before 14 days", "db/finish/command.py",
           "if datetime.now(UTC) < due and early:", "if False:", (FINISH,)),
    Mutant("drop removes foreign keys nobody named", "db/finish/command.py",
           "        if unnamed:", "        if False:", (FINISH,)),
    Mutant("undo renames onto a new table's name", "db/finish/command.py",
           "        if taken:", "        if False:", (FINISH,)),
    Mutant("one transaction takes any number of messages", "db/migrate/mode.py",
           "    if sessions <= BATCH and messages <= BATCH:", "    if sessions <= BATCH:",
           (UNIT_MODE, MODE)),
    Mutant("the count ignores what the record holds", REVISION,
           "ids = sa.select(table.c.id).where(~held(record, table.c.id))",
           "ids = sa.select(table.c.id).where(sa.true())", (MODE,)),
    Mutant("the one transaction leaves the titles' tables unanalyzed", REVISION,
           "        *([] if batch is not None else [titles_read()]),\n", "", (OFFLINE,)),
    Mutant("the batches never tell the planner what they wrote", RUN,
           "            if analyzed_after(number):", "            if False:", (BATCHES, UNIT_RUN)),
    Mutant("the batched run's plan is left behind", RUN,
           "        for drop in dropped(carry.plan):", "        for drop in []:", (UNIT_RUN,)),
    Mutant("the batches analyze only after the first", "db/migrate/batches.py",
           "return number > 0 and number & (number - 1) == 0", "return number == 1",
           ("tests/db/migrate/test_batches.py",)),
]  # fmt: skip
