"""The settings every revision sends first, so that no role default decides how a deploy
behaves: a blocked lock fails fast, a long statement is not cut short, big joins stay in
memory. Each can be changed with ``-x NAME=VALUE``; values are checked before they are
written into the SQL, and a bad one fails in one line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from alembic.util import CommandError

_DURATION = r"^[0-9]+ ?(us|ms|s|min|h|d)?$"
_FORMATS = {
    "lock_timeout": (_DURATION, "a duration such as 5s or 0 (off)"),
    "statement_timeout": (_DURATION, "a duration such as 2h or 0 (off)"),
    "work_mem": (r"^[0-9]+ ?(kB|MB|GB)$", "a size such as 64MB"),
    "jit": (r"^(on|off)$", "on or off"),
}


@dataclass(frozen=True)
class Settings:
    # Short: a blocked lock fails the deploy instead of queueing the application behind it.
    lock_timeout: str = "5s"
    # Off: a role default meant for web requests must not kill a migration of many minutes.
    statement_timeout: str = "0"
    # The data revision's joins span whole tables; 4MB (the default) spills them to disk.
    work_mem: str = "64MB"
    # Off: compiling a plan to machine code took half a second per big statement at 200k
    # rows, more than it saved on a statement that runs once (docs/benchmark.md).
    jit: str = "off"
    # Online only, data revision only: keyset batches, each committed on its own.
    batch_size: int | None = None

    @classmethod
    def from_x_arguments(cls, x: Mapping[str, str]) -> Settings:
        values: dict[str, Any] = {}
        for name, (pattern, example) in _FORMATS.items():
            if name in x:
                if not re.match(pattern, x[name].strip()):
                    raise CommandError(f"-x {name} must be {example}; got {x[name]!r}")
                values[name] = x[name].strip()
        if "batch_size" in x:
            if not x["batch_size"].isdigit() or int(x["batch_size"]) < 1:
                raise CommandError(
                    f"-x batch_size must be a whole number of rows above 0; got {x['batch_size']!r}"
                )
            values["batch_size"] = int(x["batch_size"])
        return cls(**values)


def deploy_settings(settings: Settings, scope: str = "LOCAL") -> list[sa.TextClause]:
    """``SET LOCAL`` lasts the transaction; ``SET SESSION`` outlives the commits of batches."""
    return [
        sa.text(f"SET {scope} {name} = '{getattr(settings, name)}'")
        for name in ("lock_timeout", "statement_timeout", "work_mem", "jit")
    ]


def send_deploy_settings(scope: str = "LOCAL") -> Settings:
    """Read ``-x``, send the settings (first thing in a revision), and return them."""
    settings = Settings.from_x_arguments(context.get_x_argument(as_dictionary=True))
    for statement in deploy_settings(settings, scope):
        op.execute(statement)
    return settings
