"""`python -m stepresearch` is the `stepresearch` command."""

import sys

from stepresearch.app.cli import main

sys.exit(main())
