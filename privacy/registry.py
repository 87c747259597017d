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
- Erasing twice is harmless: the second time finds nothing left and returns 0.
- ``erase_order`` says when a whole erasure (``privacy.services.erasure``) runs the
  category: lower first. A category that finds the person's rows through links
  another category deletes (audit entries found through a parent's links to their
  children's schools) runs before it; the account itself, whose email and mobile
  other categories match on, runs last.
"""

from __future__ import annotations

from typing import Any, ClassVar

USER = "user"
PUPIL = "pupil"


class DataCategory:
    """One category of personal data held by one app."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    models: ClassVar[tuple[str, ...]] = ()
    subjects: ClassVar[tuple[str, ...]] = (USER, PUPIL)
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

    # A subclass implements the pair for each subject kind it lists in ``subjects``.
    def export_user(self, user) -> dict[str, Any] | list[Any]:
        raise NotImplementedError(f"{self.name}: export of a user")

    def erase_user(self, user) -> int:
        raise NotImplementedError(f"{self.name}: erasure of a user")

    def export_pupil(self, pupil) -> dict[str, Any] | list[Any]:
        raise NotImplementedError(f"{self.name}: export of a pupil")

    def erase_pupil(self, pupil) -> int:
        raise NotImplementedError(f"{self.name}: erasure of a pupil")

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


def iso(value) -> str | None:
    """A date or datetime as ISO 8601 text (None stays None), for exports."""
    return value.isoformat() if value is not None else None
