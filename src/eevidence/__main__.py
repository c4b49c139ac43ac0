"""``python -m eevidence``: the command line."""

import sys

from eevidence._cli import main

sys.exit(main())
