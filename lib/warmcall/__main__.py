"""``python -m warmcall``: the same command line as the ``warmcall`` script."""

import sys

from warmcall.run.cli import main

sys.exit(main())
