"""The roster import: one importer behind the `import_roster` command and the upload page.

- ``columns``: the file's columns, their aliases and how cells are read;
- ``parsing``: decode and validate a CSV file (no database);
- ``planning``: what importing it into a school would change;
- ``applying``: the dry run, and applying in one transaction;
- ``services``: the stored, two-step import (check, then apply once) of the upload page.
"""

from schools.roster.applying import roster_apply, roster_check
from schools.roster.parsing import RosterFileError
from schools.roster.planning import RosterResult

__all__ = ["RosterFileError", "RosterResult", "roster_apply", "roster_check"]
