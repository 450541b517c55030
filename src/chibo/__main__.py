from __future__ import annotations

from chibo.cli import main

main()
