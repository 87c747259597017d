"""The Pupil Premium engagement report page and its CSV."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import access
from engagement import selectors
from engagement.charts import weekly_trend_chart
from engagement.csv import csv_write
from engagement.forms import PupilPremiumReportForm

# (caption, cell index of PP, of not PP, of the gap, unit) in ``Row.cells`` order.
MEASURES = (
    ("Pupils on roll at the end of the period", 2, 3, None, ""),
    ("Families reached: pupils with a parent who has joined (%)", 4, 5, 6, "%"),
    ("Families active: pupils with a parent active in the period (%)", 7, 8, 9, "%"),
    ("Completions per pupil in the period", 10, 11, 12, ""),
)


def _row_name(cells) -> str:
    """A row's name as the page shows it: classes are often named after their year
    group ("Year 3"), so a class's row says it is a class."""
    breakdown, name = cells[0], cells[1]
    return f"Class {name}" if breakdown == "class" else name


def _measure_tables(report) -> list[dict]:
    cells = report.cells()
    return [
        {
            "caption": caption,
            "unit": unit,
            "has_gap": gap is not None,
            "rows": [
                (_row_name(row), row[pp], row[not_pp], row[gap] if gap is not None else None)
                for row in cells
            ],
        }
        for caption, pp, not_pp, gap, unit in MEASURES
    ]


def pp_report(request: HttpRequest, school_id: int) -> HttpResponse:
    scope = access.engagement_report_scope_or_404(request.user, school_id)
    data = request.GET.copy()
    data.setdefault("period", "this_term")
    form = PupilPremiumReportForm(data, classes=scope.classes, year_groups=scope.whole_school)
    context = {"school": scope.school, "scope": scope, "form": form}
    if not form.is_valid():
        return render(request, "engagement/pp_report.html", context)
    period = form.cleaned_data["report_period"]
    wants_csv = request.GET.get("format") == "csv"
    report = selectors.pp_report(
        school=scope.school,
        period=period,
        class_ids=scope.class_ids,
        school_class=form.school_class,
        year_group=form.cleaned_data.get("year_group"),
        whole_school_rows=scope.whole_school,
        suppress=wants_csv or scope.suppress_small_groups,
    )
    if wants_csv:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"pupil-premium-engagement-{scope.school.urn}-{period.start}-{period.end}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        csv_write(response, header=selectors.CSV_HEADER, rows=report.cells())
        return response
    query = data.copy()
    query["format"] = "csv"
    context.update(
        {
            "report": report,
            "period_label": form.cleaned_data["period_label"],
            "measures": _measure_tables(report),
            "chart": weekly_trend_chart(report.weeks),
            "csv_query": query.urlencode(),
            "suppressed": selectors.SUPPRESSED,
        }
    )
    return render(request, "engagement/pp_report.html", context)
