"""The move's last steps: ``aria-finish retire | undo | drop``, or ``python -m db.finish``.
``usage`` watches whether anything still uses the legacy tables, ``retirement`` is each
step's SQL and record, ``command`` the checks and the command line around them."""
