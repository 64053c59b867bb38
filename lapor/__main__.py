"""`python -m lapor`: the command line."""

from lapor.cli import main

raise SystemExit(main())
