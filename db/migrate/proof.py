"""A data revision's proof: a ``DO`` block, sent last in the transaction that records the
revision, that counts what should have been written and was not, and raises (rolling
the whole upgrade back) unless every count is 0; and warns, naming what it read, when
there was nothing to migrate at all. Online and in ``--sql`` alike, so a reviewed script
proves itself as it runs.

Generic: it knows counts and messages, nothing of what a revision moves.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from db.migrate.layout import INDENT, Step, indented, laid_out, plain, quoted

_COUNT = re.compile(r"\{(\w+)\}")


def _message(template: str, depth: int) -> str:
    """``template``'s ``{count}`` fields as PL/pgSQL values, the rest as quoted text."""
    parts: list[str] = []
    for index, piece in enumerate(_COUNT.split(template)):
        if index % 2:
            parts.append(piece)
        elif piece:
            parts.append(quoted(piece, depth))
    return f"\n{' ' * (INDENT * depth)}|| ".join(parts)


def proof(
    missing: sa.Select[Any], failure: str, nothing_read: str, read_from: sa.TableClause,
    what: str,
) -> Step:  # fmt: skip
    """Raise ``failure`` unless every column of ``missing`` (one row of counts, each
    labelled) is 0; ``failure`` names them as ``{label}``. Warn ``nothing_read`` when
    ``read_from`` (the plan's table of what was read) is empty."""
    counts = [str(column.key) for column in missing.selected_columns]
    declared = "\n".join(f"    {name} bigint;" for name in counts)
    return plain(
        "proof",
        what,
        f"""DO $proof$
DECLARE
{declared}
BEGIN
    SELECT {", ".join(f"counted.{name}" for name in counts)} INTO {", ".join(counts)}
    FROM (
{indented(laid_out(missing), 2)}
    ) AS counted;
    IF {" OR ".join(f"{name} > 0" for name in counts)} THEN
        RAISE EXCEPTION USING MESSAGE = {_message(failure, 3)};
    END IF;
    IF NOT EXISTS (SELECT 1 FROM {read_from.schema}.{read_from.name}) THEN
        RAISE WARNING USING MESSAGE = {quoted(nothing_read, 3)};
    END IF;
END
$proof$""",
    )
