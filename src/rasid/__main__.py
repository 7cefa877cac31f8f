from rasid.cli import main

raise SystemExit(main())
