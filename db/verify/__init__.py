"""The verification report: ``aria-verify``, or ``python -m db.verify``. ``check`` reads the
database and counts every legacy row; ``command`` is the command line around it."""

from db.verify.command import main

__all__ = ["main"]
