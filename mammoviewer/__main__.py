"""Allow ``python -m mammoviewer``."""

from mammoviewer.cli import main

raise SystemExit(main())
