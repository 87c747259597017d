"""The registry of personal data: one ``DataCategory`` per kind of data an app holds.

Each app declares its categories in its own ``privacy.py`` and registers them with
``@register``; ``PrivacyConfig.ready`` imports every app's ``privacy`` module
(``autodiscover_modules``), so this module never imports an app's models. A
category names the models it covers as ``"app_label.ModelName"`` strings, and
``tests/privacy/test_registry.py`` fails when a model holding personal data is
covered by no category and is not listed as an exclusion.

The contract of a category, for a person given as ``user`` (an account) or
``pupil`` (a child on a school's roll):

- ``export(*, user=None, pupil=None)`` returns JSON-serialisable data (dicts, lists,
  strings, numbers, booleans, None; dates as ISO strings) about that person only,
  never another person's. Files are listed by their storage name.
- ``erase(*, user=None, pupil=None)`` deletes or anonymises that data and returns
  the number of rows touched (deleted, anonymised or redacted). It runs inside the
  caller's transaction; files are removed from storage once it commits.
- A category that holds no data of one kind of subject says so in ``subjects`` and
  returns an empty export and 0 for it; called with neither subject, both methods
  raise ``ValueError``.
- ``files(exported)`` names the stored files an export lists, as (storage, name)
  pairs, so that a download can include them.

A parent's copy of a child's data (the parent's download) must never hold another
parent's comments, photos, contact details or doings (accounts/access/), while a
pupil's export, for the school, holds every parent's rows. So each category that
holds pupil data says in ``parent_copy`` what a parent's copy takes from it:
``SHARED`` (the pupil's export as it is: it holds nothing of any one parent),
``PER_PARENT`` (``export_pupil_for_parent`` returns only what that parent may see)
or ``SCHOOL_ONLY`` (the school's own records; the parent's part of them comes with
their own export). ``export_for_parent`` applies it.

A school's own export (all its pupils, parents' links, engagement and feedback, as
CSV and JSON, for the school to take elsewhere) is made of ``SchoolTable``s, which
apps register with ``@register_table`` beside their categories: each names its
columns and yields its rows for one school, streamed from the database.

- ``erase_users(users)`` and ``erase_pupils(pupils)`` are the batch forms the
  retention task uses: the same erasure for several people at once, in the
  caller's transaction, returning the rows touched per person's primary key. By
  default they call ``erase_user``/``erase_pupil`` for each; a category may do the
  batch in a few set-based statements instead (``erase_grouped``).
- Erasing twice is harmless: the second time finds nothing left and returns 0.
- ``erase_order`` says when a whole erasure (``privacy.services.erasure``) runs the
  category: lower first. A category that finds the person's rows through links
  another category deletes (audit entries found through a parent's links to their
  children's schools) runs before it; the account itself, whose email and mobile
  other categories match on, runs last.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

USER = "user"
PUPIL = "pupil"

# What a parent's copy of their child's data takes from a category (``parent_copy``).
SHARED = "shared"
PER_PARENT = "per_parent"
SCHOOL_ONLY = "school_only"
PARENT_COPIES = (SHARED, PER_PARENT, SCHOOL_ONLY)


class DataCategory:
    """One category of personal data held by one app."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    models: ClassVar[tuple[str, ...]] = ()
    subjects: ClassVar[tuple[str, ...]] = (USER, PUPIL)
    # Left out of a parent's copy unless the category says otherwise.
    parent_copy: ClassVar[str] = SCHOOL_ONLY
    erase_order: ClassVar[int] = 50

    def export(self, *, user=None, pupil=None) -> dict[str, Any] | list[Any]:
        """JSON-serialisable data about the person; empty when there is none."""
        self._subject(user=user, pupil=pupil)
        if user is not None and USER in self.subjects:
            return self.export_user(user)
        if pupil is not None and PUPIL in self.subjects:
            return self.export_pupil(pupil)
        return []

    def erase(self, *, user=None, pupil=None) -> int:
        """Delete or anonymise the person's data; the number of rows touched."""
        self._subject(user=user, pupil=pupil)
        if user is not None and USER in self.subjects:
            return self.erase_user(user)
        if pupil is not None and PUPIL in self.subjects:
            return self.erase_pupil(pupil)
        return 0

    def erase_users(self, users) -> dict[int, int]:
        """The batch form of ``erase_user``: rows touched per user's pk."""
        if USER not in self.subjects:
            return {}
        return {user.pk: self.erase_user(user) for user in users}

    def erase_pupils(self, pupils) -> dict[int, int]:
        """The batch form of ``erase_pupil``: rows touched per pupil's pk."""
        if PUPIL not in self.subjects:
            return {}
        return {pupil.pk: self.erase_pupil(pupil) for pupil in pupils}

    def export_for_parent(self, *, parent, pupil) -> dict[str, Any] | list[Any]:
        """The pupil's data as ``parent`` (one of the pupil's parents) may have it
        in their own copy: never another parent's rows."""
        if PUPIL not in self.subjects or self.parent_copy == SCHOOL_ONLY:
            return []
        if self.parent_copy == SHARED:
            return self.export_pupil(pupil)
        return self.export_pupil_for_parent(pupil, parent)

    def files(self, exported) -> list[tuple[Any, str]]:
        """(storage, name) of each stored file that ``exported`` (this category's
        export) lists; none unless the category holds files."""
        return []

    # A subclass implements the pair for each subject kind it lists in ``subjects``.
    def export_user(self, user) -> dict[str, Any] | list[Any]:
        raise NotImplementedError(f"{self.name}: export of a user")

    def erase_user(self, user) -> int:
        raise NotImplementedError(f"{self.name}: erasure of a user")

    def export_pupil(self, pupil) -> dict[str, Any] | list[Any]:
        raise NotImplementedError(f"{self.name}: export of a pupil")

    def erase_pupil(self, pupil) -> int:
        raise NotImplementedError(f"{self.name}: erasure of a pupil")

    def export_pupil_for_parent(self, pupil, parent) -> dict[str, Any] | list[Any]:
        raise NotImplementedError(f"{self.name}: a parent's copy of a pupil's data")

    @staticmethod
    def _subject(*, user, pupil) -> None:
        if (user is None) == (pupil is None):
            raise ValueError("Give exactly one of user or pupil.")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


_categories: dict[str, DataCategory] = {}


def register(cls: type[DataCategory]) -> type[DataCategory]:
    """Class decorator: register one instance of ``cls`` under its ``name``."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name.")
    existing = _categories.get(cls.name)
    if existing is not None and type(existing).__qualname__ != cls.__qualname__:
        raise ValueError(f"Two categories are named {cls.name!r}.")
    _categories[cls.name] = cls()
    return cls


def categories() -> list[DataCategory]:
    """Every registered category, by app (module) and then name: a stable order."""
    return sorted(_categories.values(), key=lambda c: (type(c).__module__, c.name))


def erasure_order() -> list[DataCategory]:
    """Every category in the order a whole erasure runs them (``erase_order``,
    then the stable order of ``categories``)."""
    return sorted(categories(), key=lambda c: c.erase_order)


def category(name: str) -> DataCategory:
    return _categories[name]


class SchoolTable:
    """One table of a school's own export: a CSV file and a section of the JSON.

    ``rows(school)`` yields one tuple per row, in the order of ``columns``, with
    plain values (text, numbers, booleans, dates, datetimes, None); it streams from
    the database (``.iterator(chunk_size=…)``) in a number of queries that does not
    grow with the school. ``position`` orders the tables in the export."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    columns: ClassVar[tuple[str, ...]] = ()
    position: ClassVar[int] = 100

    def rows(self, school) -> Iterable[tuple]:
        raise NotImplementedError(f"{self.name}: rows of a school")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


_tables: dict[str, SchoolTable] = {}


def register_table(cls: type[SchoolTable]) -> type[SchoolTable]:
    """Class decorator: register one instance of ``cls`` under its ``name``."""
    if not cls.name or not cls.columns:
        raise ValueError(f"{cls.__name__} needs a name and columns.")
    existing = _tables.get(cls.name)
    if existing is not None and type(existing).__qualname__ != cls.__qualname__:
        raise ValueError(f"Two school tables are named {cls.name!r}.")
    _tables[cls.name] = cls()
    return cls


def school_tables() -> list[SchoolTable]:
    """Every registered school table, by position and then name."""
    return sorted(_tables.values(), key=lambda t: (t.position, t.name))


def erase_grouped(rows, field: str, people, write) -> dict[int, int]:
    """For a batch erasure: how many of ``rows`` each of ``people`` has in
    ``field`` (one grouped count), then ``write`` (delete or update) on those rows,
    skipped when there are none: rows touched per person's pk."""
    from django.db.models import Count

    ids = [person.pk for person in people]
    counts = dict(
        rows.filter(**{f"{field}__in": ids})
        .order_by()
        .values(field)
        .annotate(rows=Count("pk"))
        .values_list(field, "rows")
    )
    if counts:
        write(rows.filter(**{f"{field}__in": list(counts)}))
    return counts


def iso(value) -> str | None:
    """A date or datetime as ISO 8601 text (None stays None), for exports."""
    return value.isoformat() if value is not None else None
