"""The machinery revisions import, and the only project code they may: SQL expressions and
layout, the envelope, the record, batches, steps, the plan, the proof, the report, the
deploy settings, the eras, the adoption checks. It knows nothing of the live models
(``db.schema``), which move on while a revision stays as it was written;
``tests/test_fence.py`` holds both rules."""
