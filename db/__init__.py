"""The project's code besides the revisions, by concern: ``schema`` (what the schemas are
now), ``migrate`` (the only package a revision may import), ``deploy`` (what env.py runs
around the revisions), ``verify`` (``aria-verify``), ``connection`` (the database URL, and a
throwaway server)."""
