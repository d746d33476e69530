"""Models of the schema the revisions build, the database URL, and (later) verification."""
