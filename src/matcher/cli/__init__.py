"""Stage 11, the command line: commands and the terminal's progress line.

The library logs through ``logging`` and configures no handler. Here, on the command
line, ``MATCHER_DEBUG=1`` shows the solver's debug log on stderr, as the benchmark notes
use it (``MATCHER_DEBUG=1 matcher solve ...``).
"""

import logging
import os

if os.environ.get("MATCHER_DEBUG"):
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger("matcher").addHandler(_handler)
    logging.getLogger("matcher").setLevel(logging.DEBUG)
