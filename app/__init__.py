"""The roof: what a person or an app runs. The runner and its run folder and record, the CLI, the event
stream of a run, the report check of `stepresearch verify`, and the run viewer.

Nothing below imports from here (tests/test_layers.py)."""
