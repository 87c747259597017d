"""Reading a roster file and planning its import: the engine behind the
``import_roster`` command and the upload page. Nothing here writes.

- ``columns``: the file's columns, their aliases and how cells are read;
- ``parsing``: decode and validate a CSV file (no database);
- ``planning``: what importing it into a school would change.

The writes are services: ``schools.services.roster`` (the dry run, and applying in
one transaction) and ``schools.services.roster_imports`` (the stored, two-step
import of the upload page: check, then apply once).
"""
