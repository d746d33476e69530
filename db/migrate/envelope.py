"""The migration envelope: what a data revision keeps of a legacy row in the engine row's
``metadata``, built as a row whose column names are its keys.

Generic: the keys and values are the revision's; nothing here knows a table.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.selectable import LateralFromClause

from db.migrate.expressions import field, lit


def envelope(
    migrated_from: str, original_metadata: sa.ColumnElement[Any], **fields: Any
) -> LateralFromClause:
    """The envelope of one legacy row, as a LATERAL row whose column names are its keys
    (``envelope_json`` makes it the engine's metadata)."""
    return (
        sa.select(
            lit(migrated_from).label("migrated_from"),
            *(value.label(key) for key, value in fields.items()),
            original_metadata.label("original_metadata"),
        )
        .correlate_except(None)
        .lateral("envelope")
    )


def envelope_json(envelope: LateralFromClause) -> sa.ColumnElement[Any]:
    """``original_metadata`` is kept exactly: the key is absent when the source was SQL NULL,
    and holds JSON ``null`` when the source was JSON ``null``."""
    # to_jsonb of a named row, not jsonb_build_object of key/value pairs: the same object,
    # a fifth to a third faster (jsonb_build_object looks up each value's type on every row).
    whole = sa.func.to_jsonb(envelope.table_valued(), type_=JSONB)
    return sa.case(
        (
            envelope.c.original_metadata.is_(None),
            whole.op("-", return_type=JSONB)(lit("original_metadata")),
        ),
        else_=whole,
    )


def carried_from(row: sa.TableClause | sa.FromClause, migrated_from: str) -> sa.ColumnElement[bool]:
    """An engine row whose envelope says it was carried from ``migrated_from``: how the rows
    of a release that kept no record are recognised."""
    return field(row.c.metadata, "migrated_from") == lit(migrated_from)
