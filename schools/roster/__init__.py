"""The roster import: one importer behind the `import_roster` command and the upload page.

- ``parsing``: decode and validate a CSV file (no database);
- ``importer``: plan it against a school's data, and apply the plan in one transaction;
- ``services``: the stored, two-step import (check, then apply once) of the upload page.
"""

from schools.roster.importer import RosterResult, roster_apply, roster_check
from schools.roster.parsing import RosterFileError

__all__ = ["RosterFileError", "RosterResult", "roster_apply", "roster_check"]
