"""``python -m bench``: the benchmark suite (``make bench``); see bench/README.md."""

import sys

from bench.suite import main

sys.exit(main())
