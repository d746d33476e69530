import sys

from db.finish.command import main

sys.exit(main())
