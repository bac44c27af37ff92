"""``python -m derivations``: see :mod:`derivations.cli`."""
import sys

from .cli import main

sys.exit(main())
