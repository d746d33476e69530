import sys

from db.verify.command import main

sys.exit(main())
