"""Accessibility in a real browser: axe-core's rules, names, errors, landmarks, focus, keyboard."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import new_context
from .helpers import (
    LAPTOP,
    PASSWORD,
    SCREEN_BY_NAME,
    SCREENS,
    describe_focus,
    is_focused,
    sqlite_pass_only,
    tab_to,
)

pytestmark = sqlite_pass_only

IMPACTS = ("critical", "serious", "moderate", "minor")
# Serious and critical must never appear; moderate and minor are at zero too, so keep them there.
FAILING_IMPACTS = set(IMPACTS)


def axe_report(violations: list[dict]) -> str:
    """One paragraph per broken rule: id, impact, help, link, and each offending node."""
    lines = []
    for violation in sorted(violations, key=lambda v: IMPACTS.index(v["impact"] or "minor")):
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"][:8]:
            target = " >> ".join(map(str, node["target"]))
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {target}\n      {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    ... and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def test_axe_finds_nothing(shown):
    """axe-core's rules on every screen, in French on a phone and in English on a laptop."""
    screen, setting, page = shown
    # axe-core is loaded in every page `visit` opens; the default rule set, best practices included.
    violations = page.evaluate("axe.run({resultTypes: ['violations']})")["violations"]
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, (
        f"axe-core on {screen} ({setting}, {page.url}) found {len(violations)} violations:\n"
        + axe_report(violations)
    )


# The accessible name of every visible control, as assistive technology computes it (axe-core's
# implementation of the W3C algorithm).
CONTROL_NAMES = """() => {
    axe.setup(document);
    try {
        const controls = document.querySelectorAll(
            "input:not([type=hidden]), select, textarea, button, [role=button], [role=link], a[href]");
        return [...controls]
            .filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== "hidden")
            .map((e) => ({
                html: e.outerHTML.slice(0, 160),
                name: axe.commons.text.accessibleTextVirtual(axe.utils.getNodeFromTree(e)).trim(),
            }));
    } finally {
        axe.teardown();
    }
}"""


def test_every_control_has_a_name(shown):
    """Every visible field, button and link has an accessible name."""
    screen, setting, page = shown
    controls = page.evaluate(CONTROL_NAMES)
    assert controls
    nameless = [control["html"] for control in controls if not control["name"]]
    assert not nameless, f"{screen} ({setting}): controls without an accessible name:\n" + (
        "\n".join(nameless)
    )


def test_landmarks(shown):
    """One banner, one main, one contentinfo, a named navigation, one h1 in main."""
    screen, setting, page = shown
    for role in ("banner", "main", "contentinfo"):
        expect(page.get_by_role(role), f"{screen} ({setting}): one {role}").to_have_count(1)
    expect(page.get_by_role("navigation", name=re.compile("."))).not_to_have_count(0)
    expect(page.get_by_role("main").get_by_role("heading", level=1)).to_have_count(1)


@pytest.mark.parametrize("screen", [s for s in SCREENS if s.submit], ids=str)  # sent empty
@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_errors_are_announced_and_tied_to_their_fields(visit, screen, locale):
    """A summary in a role=alert region links to each field in error; each such field has
    aria-invalid="true" and, through aria-describedby, its error as accessible description."""
    page = visit(screen, locale=locale)
    # The summary: announced as a role=alert region (the templates do not move the focus to
    # it), headed, above the first field.
    summary = page.get_by_role("alert")
    expect(summary).to_have_count(1)
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_be_visible()
    first_field = page.get_by_role("main").get_by_role("textbox").first
    assert summary.bounding_box()["y"] < first_field.bounding_box()["y"]
    links = summary.get_by_role("link")
    assert links.count() >= 2, f"{screen}: the summary lists each field in error"

    invalid = page.locator("[aria-invalid=true]")
    expect(invalid).to_have_count(links.count())
    for link in links.all():
        target = link.get_attribute("href")
        assert target.startswith("#"), target
        field = page.locator(f"[id='{target[1:]}']")  # where the link takes the person
        expect(field, f"{screen}: {target} is a field in error").to_have_attribute(
            "aria-invalid", "true"
        )
        message = link.inner_text().split(": ", 1)[-1].strip()
        # The field's description (aria-describedby) carries the same message as the summary.
        expect(field).to_have_accessible_description(re.compile(re.escape(message)))
        described = (field.get_attribute("aria-describedby") or "").split()
        error_texts = [page.locator(f"[id='{i}']").inner_text() for i in described]
        assert any(message in text for text in error_texts), (target, message, error_texts)
        assert field.is_visible()


# Style of each focusable element before anything has focus, then compared once it has.
REMEMBER_STYLES = """() => {
    window.__unfocused = new Map();
    for (const e of document.querySelectorAll("*")) {
        const s = getComputedStyle(e);
        window.__unfocused.set(e, [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow]);
    }
}"""
FOCUSED_STYLE = """() => {
    const e = document.activeElement;
    if (!e || e === document.body || e === document.documentElement) return null;
    const s = getComputedStyle(e);
    const now = [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow];
    const before = window.__unfocused.get(e) || ["(not there before)"];
    const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
    const shadow = s.boxShadow !== "none" && s.boxShadow !== before[3];
    const name = (e.getAttribute("aria-label") || e.innerText || e.value || e.title || "").trim();
    return {
        element: `<${e.tagName.toLowerCase()}> ${name.slice(0, 40)}`,
        key: e.outerHTML.slice(0, 200),
        visible: (outline || shadow) && now.join() !== before.join(),
        before: before.join(" "),
        now: now.join(" "),
    };
}"""


# Between them, every kind of control: links, buttons, a select, text fields, a date, a checkbox,
# the map's own controls.
@pytest.mark.parametrize("name", ["gathering-organiser", "city", "propose-errors", "profile"])
def test_focus_is_visible_on_every_stop(visit, name):
    """Tab through the whole page: whatever takes the focus shows it.

    Judged when Tab moves the focus onto an element: its computed outline or box-shadow
    changes and is visible. Further Tab stops inside the same element (the day, month, year and
    calendar button of a date input) are drawn by the browser itself and not judged again.
    """
    page = visit(SCREEN_BY_NAME[name])
    page.evaluate(REMEMBER_STYLES)
    stops, invisible = [], []
    for _ in range(150):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED_STYLE)
        if stop is None or (stops and stop["key"] == stops[0]["key"]):
            break  # out of the page, or round again
        if stops and stop["key"] == stops[-1]["key"]:
            continue  # still inside the same control
        stops.append(stop)
        if not stop["visible"]:
            invisible.append(f"{stop['element']}: {stop['before']} -> {stop['now']}")
    kinds = {re.match(r"<(\w+)>", stop["element"]).group(1) for stop in stops}
    assert {"a", "button"} <= kinds, kinds
    assert not invisible, f"{name}: no visible focus indicator on:\n" + "\n".join(invisible)


def test_skip_link_is_the_first_stop_and_leads_to_the_content(visit):
    """The first Tab shows "Skip to content"; Enter moves the focus into main."""
    page = visit(SCREEN_BY_NAME["gathering-visitor"], locale="en-GB")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert is_focused(skip), describe_focus(page)
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.getElementById('main').contains(document.activeElement)")


def seats_left(page: Page) -> int:
    return int(re.search(r"\d+", page.locator("#seats-left").inner_text()).group())


def test_rsvp_with_the_keyboard_alone(browser, live_server, site):
    """Sign in, say "Going", then "Can't go", in French, with Tab, Enter, Space and typing only."""
    words = {
        "skip": "Aller au contenu",
        "sign in": "Se connecter",
        "email": "Adresse e-mail",
        "password": "Mot de passe",
        "going": "J’y vais",
        "no": "Je ne peux pas",
        "you go": "Vous y allez.",
        "you don't": "C’est noté\u00a0: vous n’y allez pas.",
    }
    context = new_context(browser, live_server, locale="fr-FR", viewport=LAPTOP)
    try:
        page = context.new_page()
        page.goto(site.open_gathering)

        # Sign in from the gathering page, coming back to it.
        page.keyboard.press("Tab")
        assert is_focused(page.get_by_role("link", name=words["skip"])), describe_focus(page)
        page.keyboard.press("Enter")
        main = page.get_by_role("main")
        tab_to(page, main.get_by_role("link", name=words["sign in"], exact=True))
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"/auth/login\?next="))
        tab_to(page, page.get_by_label(words["email"]))
        page.keyboard.type(site.keyboard_email)
        tab_to(page, page.get_by_label(words["password"]), limit=3)
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(re.escape(site.open_gathering) + "$"))

        before = seats_left(page)
        page.keyboard.press("Tab")
        assert is_focused(page.get_by_role("link", name=words["skip"])), describe_focus(page)
        page.keyboard.press("Enter")
        going = page.get_by_role("button", name=words["going"], exact=True)
        presses = tab_to(page, going)
        page.keyboard.press("Space")
        expect(page.locator("#my-status")).to_have_text(words["you go"])
        expect(going).to_have_attribute("aria-pressed", "true")
        assert seats_left(page) == before - 1
        assert presses <= 12, f"{presses} Tab presses from the content to the Going button"

        cannot = page.get_by_role("button", name=words["no"], exact=True)
        tab_to(page, cannot)
        page.keyboard.press("Enter")
        expect(page.locator("#my-status")).to_have_text(words["you don't"])
        expect(cannot).to_have_attribute("aria-pressed", "true")
        assert seats_left(page) == before
    finally:
        context.close()
