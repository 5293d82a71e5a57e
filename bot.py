#!/usr/bin/env python3
"""SummitBot entry point: `python bot.py run|ask|summary|positions|topics|source|index|chat|eval|doctor`.

See `python bot.py --help`. The command line lives in cli/, the Discord bot in cogs/, and the
answering core in retrieval/.
"""

import sys

if sys.version_info < (3, 11):  # noqa: UP036 (checked before any import that needs 3.11)
    version = ".".join(str(part) for part in sys.version_info[:2])
    sys.exit(
        "error: SummitBot needs Python 3.11 or newer (this is Python " + version + "): "
        "run it with python3.11, or `make run`, which sets up .venv"
    )

from cli.main import main

if __name__ == "__main__":
    sys.exit(main())
