"""A paginator that counts with the page it fetches.

Django's ``Paginator`` asks the database twice for a page: how many rows there
are, then the page's rows. Here each row of the page carries the total as a
window function (``COUNT(*) OVER ()``, worked out before LIMIT), so a page costs
one query; only a page past the end (no rows to carry the total) counts apart.
"""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Window

TOTAL = "_page_total"


class CountingPaginator(Paginator):
    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not an integer") from error
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        start = (number - 1) * self.per_page
        rows = list(
            self.object_list.annotate(**{TOTAL: Window(Count("pk"))})[start : start + self.per_page]
        )
        if rows:
            self.__dict__["count"] = getattr(rows[0], TOTAL)
        number = self.validate_number(number)
        return self._get_page(rows, number, self)

    def get_page(self, number):
        """Like Django's, without counting before fetching the page."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)
