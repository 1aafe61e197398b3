"""`python -m startpunkt`: the `startpunkt` command without its console script."""

import sys

from startpunkt import cli

sys.exit(cli.main())
