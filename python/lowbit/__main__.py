"""`python3 -m lowbit <command> ...` (see lowbit.cli)."""

import sys

from lowbit.cli import main

sys.exit(main())
