"""`python -m simulator` is `acisim` (the lab runs node checks this way inside namespaces)."""

import sys

from .cli import main

sys.exit(main())
