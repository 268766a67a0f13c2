"""What the browser tests do as people do: sign up, propose, move through a page with the keyboard."""

import os
import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

PASSWORD = "correct horse battery"


def sign_up(page: Page, name: str, trade: str = "web writer") -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    page.get_by_label("E-mail").fill(f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Trade").fill(trade)
    page.get_by_label("Home city").fill("Lyon")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def post_form(context, path: str, data: dict, form_page: str | None = None) -> str:
    """Send a form over HTTP as the browser would, with the CSRF token of its page (form_page,
    else path); return the path it led to."""
    html = context.request.get(form_page or path).text()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = context.request.post(path, form={"csrf_token": token, **data})
    assert response.ok, (path, response.status, response.text()[:2000])
    return urlsplit(response.url).path


def field(page: Page, label: str) -> Locator:
    """The form field with this label (a required field's label ends with an aria-hidden "*")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def fill_proposal(page: Page, *, title: str, starts: str, ends: str, seats: str = "12") -> dict:
    fields = {
        "Title": title,
        "Description": "We talk rates and clients.\nhttps://example.org",
        "City": "Lyon",
        "Venue": "Café des Freelances",
        "Address": "20 rue de la République",
        "Starts": starts,
        "Ends": ends,
        "Seats": seats,
        "Tags": "seo, rédaction",
    }
    main_nav = page.get_by_role("navigation", name="Main")
    main_nav.get_by_role("link", name="Propose a gathering").click()
    expect(page.get_by_role("heading", name="Propose a gathering")).to_be_visible()
    for label, value in fields.items():
        field(page, label).fill(value)
    page.get_by_role("button", name="Propose", exact=True).click()
    return fields


def propose(page: Page, **fields) -> str:
    fill_proposal(page, **fields)
    expect(page).to_have_url(re.compile(r"/events/\d+$"))
    return page.url


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def describe_focus(page: Page) -> str:
    """The focused element in a few words, for failure messages."""
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            if (!e || e === document.body) return "(nothing: body)";
            const name = (e.getAttribute("aria-label") || e.innerText || e.value || "").trim();
            return `<${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}> ${name.slice(0, 40)}`;
        }"""
    )


def tab_to(page: Page, target: Locator, limit: int = 60) -> int:
    """Press Tab until target has the focus; return how many presses it took."""
    visited = []
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if is_focused(target):
            return presses
        visited.append(describe_focus(page))
    raise AssertionError(
        f"{target} never got the focus in {limit} Tab presses; went through:\n  "
        + "\n  ".join(visited)
    )


# The pages the quality tests look at, as someone in a given role reaches them.
@dataclass(frozen=True)
class Screen:
    name: str
    who: str  # visitor, member, organiser: whose browser (see the `site` fixture)
    path: str  # "{gathering}", "{open_gathering}": the paths of the `site` fixture's gatherings
    submit: bool = False  # send the page's form empty, to show its errors
    status: int = 200

    def __str__(self) -> str:
        return self.name


SCREENS = [
    Screen("home", "visitor", "/"),
    Screen("cities", "visitor", "/cities"),
    Screen("city", "visitor", "/cities/lyon"),
    Screen("trades", "visitor", "/cities/lyon/trades"),
    Screen("gathering-visitor", "visitor", "{gathering}"),
    Screen("gathering-member", "member", "{gathering}"),
    Screen("gathering-organiser", "organiser", "{gathering}"),  # full, with a waitlist
    Screen("cancel", "organiser", "{gathering}/cancel"),  # the question before cancelling
    Screen("propose-errors", "organiser", "/events/new", submit=True),
    Screen("login", "visitor", "/auth/login"),
    Screen("register", "visitor", "/auth/register"),
    Screen("register-errors", "visitor", "/auth/register", submit=True),
    Screen("me", "organiser", "/me"),
    Screen("profile", "organiser", "/me/profile"),
    Screen("notifications", "organiser", "/me/notifications"),
    Screen("privacy", "visitor", "/privacy"),
    Screen("delete-account", "member", "/me/delete"),
    Screen("not-found", "visitor", "/events/999999", status=404),
]
SCREEN_BY_NAME = {screen.name: screen for screen in SCREENS}

PHONE = {"width": 375, "height": 812}
LAPTOP = {"width": 1280, "height": 800}
# Every screen is looked at in both languages and at both widths, paired to halve the run: French
# (the longer words) on a phone, English on a laptop. Add ("fr-FR", LAPTOP) and ("en-GB", PHONE)
# for all four.
SETTINGS = {
    "fr-phone": ("fr-FR", PHONE),
    "en-laptop": ("en-GB", LAPTOP),
}

# The browser tests run once, in the SQLite pass (the server under test is the same code).
sqlite_pass_only = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="e2e runs in the SQLite pass"
)
