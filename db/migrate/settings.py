"""The settings every revision sends first, so that no role default decides how a deploy
behaves: a blocked lock fails fast, a long statement is not cut short, joins get memory
enough without taking a small server's. Each can be changed with ``-x NAME=VALUE``; values
are checked before they are written into the SQL, and a bad one fails in one line.
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
    "work_mem": (r"^[0-9]+ ?(kB|MB|GB)$", "a size such as 16MB"),
    "hash_mem_multiplier": (r"^[0-9]+(\.[0-9]+)?$", "a number such as 1 or 2.0"),
    "jit": (r"^(on|off)$", "on or off"),
}


@dataclass(frozen=True)
class Settings:
    # Short: a blocked lock fails the deploy instead of queueing the application behind it.
    lock_timeout: str = "5s"
    # Off: a role default meant for web requests must not kill a migration of many minutes.
    statement_timeout: str = "0"
    # Per sort or hash, and the plan's widest statement holds eight hashes at once: 16MB
    # each keeps the backend well inside the 512 MB aria-db has, which shared buffers, the
    # application and the page cache share (docs/benchmark.md); 4MB (PostgreSQL's default)
    # spills every join many times over.
    work_mem: str = "16MB"
    # 1: a hash gets work_mem like a sort, not twice it (PostgreSQL 15's default is 2).
    hash_mem_multiplier: str = "1"
    # Off: compiling a plan to machine code took half a second per big statement at 200k
    # rows, more than it saved on a statement that runs once (docs/benchmark.md).
    jit: str = "off"
    # Online only, data revision only: keyset batches, each committed on its own. Neither
    # given: the run chooses (db/migrate/mode.py).
    batch_size: int | None = None
    single_transaction: bool = False

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
        if "single_transaction" in x:
            if x["single_transaction"] not in ("true", "false"):
                raise CommandError(
                    f"-x single_transaction must be true or false; got {x['single_transaction']!r}"
                )
            values["single_transaction"] = x["single_transaction"] == "true"
        if values.get("single_transaction") and "batch_size" in values:
            raise CommandError(
                "-x single_transaction=true and -x batch_size ask for opposite runs; give one"
            )
        return cls(**values)


def deploy_settings(settings: Settings, scope: str = "LOCAL") -> list[sa.TextClause]:
    """``SET LOCAL`` lasts the transaction; ``SET SESSION`` outlives the commits of batches."""
    return [
        sa.text(f"SET {scope} {name} = '{getattr(settings, name)}'")
        for name in ("lock_timeout", "statement_timeout", "work_mem", "hash_mem_multiplier", "jit")
    ]


def send_deploy_settings(scope: str = "LOCAL") -> Settings:
    """Read ``-x``, send the settings (first thing in a revision), and return them."""
    settings = Settings.from_x_arguments(context.get_x_argument(as_dictionary=True))
    for statement in deploy_settings(settings, scope):
        op.execute(statement)
    return settings
