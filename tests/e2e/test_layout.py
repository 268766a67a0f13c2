"""Phone and laptop layout: nothing wider than the screen, fingers-sized targets on a phone."""

import pytest

from .helpers import PHONE, SCREENS, sqlite_pass_only

pytestmark = sqlite_pass_only

# Elements whose box sticks out past the right edge of the window, unless an ancestor clips
# them (a map's tiles inside its overflow:hidden frame); innermost first, as they are the cause.
OVERFLOWING = """() => {
    const width = window.innerWidth;
    const clipped = (e) => {
        for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== "visible") return true;
        }
        return false;
    };
    const out = [...document.body.querySelectorAll("*")].filter((e) => {
        const r = e.getBoundingClientRect();
        return r.right > width + 0.5 && r.width > 0 && !clipped(e);
    });
    return {
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: width,
        offenders: out
            .filter((e) => !out.some((other) => other !== e && e.contains(other)))
            .map((e) => {
                const r = e.getBoundingClientRect();
                const classes = e.classList.length ? "." + [...e.classList].join(".") : "";
                const text = (e.innerText || e.value || "").trim().replace(/\\s+/g, " ");
                return `<${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${classes}> `
                    + `"${text.slice(0, 50)}" right edge ${Math.round(r.right)} px, `
                    + `width ${Math.round(r.width)} px`;
            }),
    };
}"""


def test_nothing_overflows_horizontally(shown):
    """At 375 px (in French) and 1280 px (in English), nothing is wider than the window."""
    screen, layout, page = shown
    found = page.evaluate(OVERFLOWING)
    assert found["scrollWidth"] <= found["innerWidth"], (
        f"{screen} ({layout}) is {found['scrollWidth']} px wide in a {found['innerWidth']} px "
        "window; sticking out:\n  " + "\n  ".join(found["offenders"] or ["(nothing found)"])
    )


# Every target a finger can press on the page, its size, and what kind of target it is.
# The accessible name comes from axe-core (loaded by `visit`).
TARGETS = """() => {
    axe.setup(document);
    const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden"
        && e.getBoundingClientRect().right > 0;  // not parked off screen like the skip link
    const blockOf = (e) => {
        let block = e.parentElement;
        while (block.parentElement && getComputedStyle(block).display.startsWith("inline")) {
            block = block.parentElement;
        }
        return block;
    };
    const inText = (a) => {
        if (getComputedStyle(a).display !== "inline") return false;
        const texts = document.createTreeWalker(blockOf(a), NodeFilter.SHOW_TEXT);
        for (let t = texts.nextNode(); t; t = texts.nextNode()) {
            if (!a.contains(t) && t.textContent.trim() && shown(t.parentElement)) return true;
        }
        return false;
    };
    const drawnAsButton = (e) => {
        const s = getComputedStyle(e);
        return !/^(transparent|rgba\\(0, 0, 0, 0\\))$/.test(s.backgroundColor)
            || (parseFloat(s.borderTopWidth) > 0 && s.borderTopStyle !== "none");
    };
    const box = (e) => {
        let r = e.getBoundingClientRect();
        let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
        if (e.type === "checkbox" || e.type === "radio") {  // its label presses it too
            for (const label of e.labels) {
                r = label.getBoundingClientRect();
                [left, top] = [Math.min(left, r.left), Math.min(top, r.top)];
                [right, bottom] = [Math.max(right, r.right), Math.max(bottom, r.bottom)];
            }
        }
        return {left, top, right, bottom};
    };
    const selector = "a[href], button, input:not([type=hidden]), select, textarea, [role=button]";
    const targets = [...document.querySelectorAll(selector)].filter(shown).map((e) => {
        const link = e.tagName === "A" && e.getAttribute("role") !== "button";
        const kind = !link ? "control"
            : e.closest("nav, [role=navigation]") ? "navigation link"
            : drawnAsButton(e) ? "link drawn as a button"
            : inText(e) ? "link in text"
            : "link";
        const name = axe.commons.text.accessibleTextVirtual(axe.utils.getNodeFromTree(e)).trim();
        return {kind, name, html: e.outerHTML.slice(0, 120), ...box(e)};
    });
    axe.teardown();
    return targets;
}"""


@pytest.fixture(scope="module", params=SCREENS, ids=str)
def phone_targets(request, visit):
    """(screen, TARGETS found on it at 375×812 in French), measured once for the tests below."""
    page = visit(request.param, viewport=PHONE, slot="targets")
    return request.param, page.evaluate(TARGETS)


def _size(target: dict) -> tuple[float, float]:
    return target["right"] - target["left"], target["bottom"] - target["top"]


def _describe(target: dict) -> str:
    width, height = _size(target)
    return f"{target['kind']} {target['name']!r}: {width:.0f}×{height:.0f} px  {target['html']}"


def test_controls_are_44_px_on_a_phone(phone_targets):
    """At 375×812, every button, field, button-drawn link and navigation link is 44×44 px or more.

    WCAG 2.5.5 (target size, enhanced). Counted: button, input, select, textarea, anything with
    role=button, links inside a navigation landmark, and links drawn as buttons (a background
    colour or a border). A checkbox or radio is measured together with its label, which presses
    it too. Exempt: a link "in text", i.e. displayed inline, within a block (its nearest
    non-inline ancestor) that has visible text of its own outside the link; elements off screen.
    Other links are held to WCAG 2.5.8 by the next test.
    """
    screen, targets = phone_targets
    small = [
        _describe(t)
        for t in targets
        if t["kind"] in ("control", "navigation link", "link drawn as a button")
        and min(_size(t)) < 44
    ]
    assert not small, f"{screen}: targets under 44×44 px at 375 px wide:\n  " + "\n  ".join(small)


def test_other_links_are_24_px_or_spaced_on_a_phone(phone_targets):
    """At 375×812, other links not in text meet WCAG 2.5.8 (target size, minimum).

    At least 24×24 px, or spaced: a 24 px circle centred on the link's box touches no other
    target's box (links in text included) and no other undersized link's circle.
    """
    screen, targets = phone_targets

    def centre(t):
        return (t["left"] + t["right"]) / 2, (t["top"] + t["bottom"]) / 2

    def circle_touches_box(t, other) -> bool:
        x, y = centre(t)
        nearest_x = min(max(x, other["left"]), other["right"])
        nearest_y = min(max(y, other["top"]), other["bottom"])
        return (x - nearest_x) ** 2 + (y - nearest_y) ** 2 < 12**2

    def undersized(t) -> bool:
        return t["kind"] == "link" and min(_size(t)) < 24

    crowded = []
    for t in filter(undersized, targets):
        others = [o for o in targets if o is not t]
        touched = [o for o in others if circle_touches_box(t, o)]
        touched += [
            o
            for o in others
            if undersized(o)
            and (centre(t)[0] - centre(o)[0]) ** 2 + (centre(t)[1] - centre(o)[1]) ** 2 < 24**2
        ]
        if touched:
            crowded.append(f"{_describe(t)}\n    too close to {_describe(touched[0])}")
    assert not crowded, f"{screen}: links under 24 px and crowded:\n  " + "\n  ".join(crowded)
