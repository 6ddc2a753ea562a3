"""``python -m kosi_sim.cli``: the same as the ``kosi-sim`` command."""

import sys

from . import main

sys.exit(main())
