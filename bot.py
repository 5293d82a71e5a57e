#!/usr/bin/env python3
"""SummitBot entry point: `python bot.py run|ask|summary|positions|topics|source|index|chat|eval`.

See `python bot.py --help`. The command line lives in cli/, the Discord bot in cogs/, and the
answering core in retrieval/.
"""

import sys

from cli.main import main

if __name__ == "__main__":
    sys.exit(main())
