"""``python -m warmcall``: the same command line as the ``warmcall`` script."""

import sys

from .cli import main

sys.exit(main())
