from pmworkbook.cli import main

raise SystemExit(main())
