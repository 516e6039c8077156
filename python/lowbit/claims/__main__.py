"""python -m lowbit.claims RUN_DIR (the same as `python -m lowbit claims RUN_DIR`)."""

import sys

from lowbit.claims.cli import main

sys.exit(main())
