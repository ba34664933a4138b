from metaseoul.cli import main

raise SystemExit(main())
