"""db/migrate/titles.py against the engine's own rule, on a real PostgreSQL: any text,
generated, titled in SQL exactly as the engine's Python titles it."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.migrate.titles import engine_title, has_text

WHITE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Text PostgreSQL can hold (no NUL, no lone surrogate), heavy in white space and near 80.
texts = st.text(
    alphabet=st.one_of(st.sampled_from(WHITE + "ab\u200b\u00e9\U0001f600"),
                       st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
    max_size=120,
)  # fmt: skip


def the_engines_title(first_message: str) -> str:
    """The engine's rule (../shared/aria/DEPLOYMENTS.md), in its own Python."""
    title = " ".join(first_message.replace("\n", " ").split())
    return title[:77] + "..." if len(title) > 80 else title


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=texts)
def test_sql_titles_every_text_as_the_engine_does(engine: sa.Engine, text: str) -> None:
    with engine.connect() as connection:
        title, usable = connection.execute(
            sa.select(engine_title(sa.literal(text)), has_text(sa.literal(text)))
        ).one()
    assert title == the_engines_title(text)
    assert usable is bool(text.split())
