"""`python -m stepresearch` is the `stepresearch` command."""

import sys

from stepresearch.cli import main

sys.exit(main())
