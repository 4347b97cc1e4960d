from glass_updater.cli import main

raise SystemExit(main())
