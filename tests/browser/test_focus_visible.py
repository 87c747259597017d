"""Focus you can see (WCAG 1.4.11, 2.4.7, 2.4.13): Tab through representative pages and,
at every stop, measure the focus indicator against the background it sits on.

The indicator is the focused element's outline, its box shadows and (for a text link)
its own background; the background is the first ancestor's that is not transparent
(the page's white when none is). Some part of the indicator, at least 2 px thick, must
reach 3:1 against that background: on the white and tinted pages the dark ring or bar,
on the header's blue the yellow; and so must the outline on its own, solid and 2 px or
more, as the audit measured it (the old #ffbf47 outline reached 1.64:1 on white).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_descriptions_exist, sign_in, sign_in_staff
from tests.factories import (
    PupilFactory,
    SchoolClassFactory,
    TopicFactory,
    confirmed_totp_device,
    teacher_of,
)
from tests.learning.space_world import family_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_folder"),
]

# What the focused element shows, and what lies behind it.
MEASURE = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  let behind = "rgb(255, 255, 255)";
  for (let node = element.parentElement; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (!/^rgba\\(.*, 0\\)$/.test(colour) && colour !== "transparent") { behind = colour; break; }
  }
  return {
    name: element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
      + " " + (element.textContent || element.value || "").trim().slice(0, 40),
    tag: element.tagName.toLowerCase(),
    type: element.type || "",
    id: element.id,
    inBanner: !!element.closest("[data-cookie-banner]"),
    inHeader: !!element.closest(".site-header"),
    focusVisible: element.matches(":focus-visible"),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    outlineColor: style.outlineColor,
    boxShadow: style.boxShadow,
    background: style.backgroundColor,
    behind: behind,
  };
}"""

RGB = re.compile(r"rgba?\(([^)]*)\)")


def rgba(text: str) -> tuple[float, float, float, float]:
    parts = [float(part) for part in RGB.search(text).group(1).replace("/", ",").split(",")]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def luminance(colour) -> float:
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in colour[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one, other) -> float:
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def shadows(box_shadow: str) -> list[tuple[tuple, float]]:
    """Each shadow's colour and how far it reaches beyond the element (offset + spread)."""
    if box_shadow == "none":
        return []
    found = []
    for colour, lengths in re.findall(r"(rgba?\([^)]*\))\s*([^,]*)", box_shadow):
        numbers = [abs(float(n)) for n in re.findall(r"-?[\d.]+(?=px)", lengths)]
        x, y = numbers[0], numbers[1]
        spread = numbers[3] if len(numbers) > 3 else 0
        found.append((rgba(colour), max(x, y) + spread))
    return found


def indicator_parts(measured) -> list[tuple[str, tuple, float]]:
    """The parts of the focus indicator: (what, colour, thickness in px)."""
    parts = []
    outline = rgba(measured["outlineColor"])
    if measured["outlineStyle"] != "none" and outline[3] > 0:
        parts.append(("outline", outline, measured["outlineWidth"]))
    for colour, reach in shadows(measured["boxShadow"]):
        if colour[3] > 0:
            parts.append(("shadow", colour, reach))
    background = rgba(measured["background"])
    if measured["tag"] == "a" and background[3] > 0:
        parts.append(("background", background, float("inf")))
    return parts


def assert_focus_seen(measured) -> float:
    """Fail unless some part of the indicator, 2 px or more, reaches 3:1; the best ratio."""
    parts = indicator_parts(measured)
    assert parts, f"{measured['name']}: no focus indicator at all ({measured})"
    assert measured["outlineWidth"] >= 2 or any(what == "shadow" for what, _, _ in parts), measured[
        "name"
    ]
    behind = rgba(measured["behind"])
    ratios = [
        (contrast(colour, behind), what) for what, colour, thickness in parts if thickness >= 2
    ]
    best, what = max(ratios)
    assert best >= 3, (
        f"{measured['name']}: the focus indicator reaches {best:.2f}:1 at best ({what}) "
        f"against {measured['behind']} ({measured})"
    )
    # The outline on its own, as the audit measured it: solid, 2 px or more, 3:1.
    outline = rgba(measured["outlineColor"])
    assert measured["outlineStyle"] != "none" and measured["outlineWidth"] >= 2, measured["name"]
    assert outline[3] == 1 and contrast(outline, behind) >= 3, (
        f"{measured['name']}: its outline {measured['outlineColor']} reaches "
        f"{contrast(outline, behind):.2f}:1 against {measured['behind']}"
    )
    return best


def tab_through(page, limit: int = 80) -> list[dict]:
    """Press Tab from the top of the page until the focus leaves it; measure every stop.

    A date field is one element with several stops (day, month, year and its calendar
    button), so stops are counted, not elements.
    """
    assert_descriptions_exist(page)  # cheaply, on every page this file opens
    page.evaluate("document.activeElement && document.activeElement.blur()")
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        measured = page.evaluate(MEASURE)
        if measured is None or (stops and measured == stops[0]):
            break
        assert measured["focusVisible"] or measured["type"] == "date", measured["name"]
        assert_focus_seen(measured)
        stops.append(measured)
    assert stops, "no stop on the page"
    return stops


def test_the_contrast_helpers_measure_as_wcag_does():
    white, tint = rgba("rgb(255, 255, 255)"), rgba("rgb(243, 246, 250)")
    old_focus = rgba("rgb(255, 191, 71)")
    assert round(contrast(old_focus, white), 2) == 1.64  # what the audit found
    assert round(contrast(old_focus, tint), 2) == 1.51
    assert round(contrast(rgba("rgb(0, 0, 0)"), white), 1) == 21.0
    assert shadows("rgb(255, 221, 0) 0px -2px 0px 0px, rgb(11, 12, 12) 0px 4px 0px 0px") == [
        ((255, 221, 0, 1.0), 2),
        ((11, 12, 12, 1.0), 4),
    ]


def test_sign_in_and_the_cookie_banner_show_where_the_focus_is(page):
    page.goto("/accounts/login/")
    stops = tab_through(page)

    banner = [stop for stop in stops if stop["inBanner"]]
    assert {stop["tag"] for stop in banner} >= {"button", "summary"}
    assert {stop["id"] for stop in stops} >= {"id_login", "id_password"}
    assert any(stop["tag"] == "button" and not stop["inBanner"] for stop in stops)
    assert any(stop["tag"] == "a" and "Forgotten your password" in stop["name"] for stop in stops)


def test_a_parents_child_space_on_a_phone_shows_where_the_focus_is(phone_page):
    family = family_world(activities=2)
    sign_in(phone_page, family.parent.email)

    phone_page.goto(f"/children/{family.pupil.pk}/")
    stops = tab_through(phone_page)
    assert any(stop["inHeader"] and stop["tag"] == "a" for stop in stops), "the header's links"
    assert any(stop["inHeader"] and stop["tag"] == "button" for stop in stops), "Sign out"

    phone_page.goto(f"/children/{family.pupil.pk}/assignments/{family.assignment.pk}/")
    phone_page.get_by_role("button", name=re.compile("^We did this")).first.click()
    phone_page.wait_for_url(re.compile(r"#confirmation-\d+$"))  # back, at the activity
    expect(phone_page.locator(".confirmation")).to_be_focused()
    stops = tab_through(phone_page)
    assert {stop["type"] for stop in stops} >= {"radio", "textarea", "file", "submit"}


def test_a_teachers_class_page_shows_where_the_focus_is(page):
    school_class = SchoolClassFactory(name="Robins")
    for name in ("Amelia", "Bartholomew"):
        PupilFactory(school=school_class.school, school_class=school_class, first_name=name)
    teacher = teacher_of(school_class)
    sign_in_staff(page, teacher, confirmed_totp_device(teacher))

    page.goto(f"/classes/{school_class.pk}/")
    stops = tab_through(page)
    assert any("Amelia" in stop["name"] for stop in stops), "the links in the pupils' table"


def test_a_date_field_shows_the_focus_on_each_part_and_its_calendar_button(page):
    school_class = SchoolClassFactory(name="Robins")
    teacher = teacher_of(school_class)
    topic = TopicFactory(school=school_class.school)
    sign_in_staff(page, teacher, confirmed_totp_device(teacher))

    page.goto(f"/topics/{topic.pk}/set/")
    stops = tab_through(page)
    # Day, month, year and the calendar button: four stops on the one field.
    on_start = [stop for stop in stops if stop["id"] == "id_starts_on"]
    assert len(on_start) >= 4, [stop["name"] for stop in stops]
    calendar_button = on_start[-1]
    assert not calendar_button["focusVisible"], "Chromium's calendar button: :focus-within only"
    assert calendar_button["outlineStyle"] != "none"
