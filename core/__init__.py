"""The floor every other layer stands on: text by language, errors, the step protocol of the nodes, the one
policy-call path and its usage records, atomic files, logging, the report phrase tables.

Nothing here imports any other `stepresearch` package (tests/test_layers.py)."""
