"""A forgotten password, click by click, in Chromium: from the sign-in page to the reset form,
the mail read from a real SMTP inbox (send-mail run on the live server's database, links on its
address), the link opened, a new password chosen, and the person signed in. In French on a
laptop, in English on a phone."""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from meetups import create_app
from meetups.extensions import db
from tests.live_server import LIVE_SECRET_KEY
from tests.smtp import text_of

from .conftest import new_context
from .helpers import LAPTOP, PASSWORD, PHONE, field, post_form, sqlite_pass_only

pytestmark = sqlite_pass_only

NEW_PASSWORD = "seven purple otters swim"
WORDS = {
    "fr-FR": {
        "forgot": "Mot de passe oublié ?",
        "email": "Adresse e-mail",
        "send": "M’envoyer un lien",
        "on_its_way": "Si un compte utilise cette adresse, un e-mail avec un lien est en route.",
        "subject": "Choisissez un nouveau mot de passe Meute",
        "new_password": "Nouveau mot de passe",
        "save": "Enregistrer mon nouveau mot de passe",
        "sign_out": "Se déconnecter",
    },
    "en-GB": {
        "forgot": "Forgot your password?",
        "email": "E-mail",
        "send": "Send me a link",
        "on_its_way": "If an account uses this address, an e-mail with a link is on its way.",
        "subject": "Choose a new Meute password",
        "new_password": "New password",
        "save": "Save my new password",
        "sign_out": "Sign out",
    },
}


@pytest.fixture
def send_mail(live_server, live_database, live_folder, smtp_inbox, monkeypatch):
    """send_mail(): run send-mail in this process on the live server's database, through the
    test SMTP server, with links on the live server's address (its own secret signs them)."""
    monkeypatch.setenv("MEETUPS_INSTANCE_PATH", str(live_folder / "sender"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{live_database}",
            "SECRET_KEY": LIVE_SECRET_KEY,
            "GEOCODERS": "offline",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_inbox.port,
            "MAIL_DEFAULT_SENDER": "Meute <noreply@meute.test>",
            "BASE_URL": live_server,
        }
    )

    def send() -> None:
        result = app.test_cli_runner().invoke(args=["send-mail"])
        assert result.exit_code == 0, result.output

    yield send
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("locale", "viewport"), [("fr-FR", LAPTOP), ("en-GB", PHONE)], ids=["fr-laptop", "en-phone"]
)
def test_a_forgotten_password_is_reset_from_the_mail(
    browser, live_server, smtp_inbox, send_mail, locale, viewport
):
    words = WORDS[locale]
    email = f"reset-{uuid.uuid4().hex[:8]}@example.org"
    context = new_context(browser, live_server, locale=locale, viewport=viewport)
    account = {"email": email, "password": PASSWORD, "display_name": "Alex", "city": "Lyon"}
    post_form(context, "/auth/register", account)
    context.close()
    context = new_context(browser, live_server, locale=locale, viewport=viewport)
    page = context.new_page()

    page.goto("/auth/login")
    page.get_by_role("link", name=words["forgot"]).click()
    field(page, words["email"]).fill(email)
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["on_its_way"])

    send_mail()
    (mail,) = smtp_inbox.to(email)
    assert mail["Subject"] == words["subject"]
    link = re.search(rf"{re.escape(live_server)}/auth/reset/\S+", text_of(mail)).group(0)
    page.goto(link)
    field(page, words["new_password"]).fill(NEW_PASSWORD)
    page.get_by_role("button", name=words["save"]).click()

    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("button", name=words["sign_out"])).to_be_visible()
    # The old password no longer opens the account; the new one does.
    other = new_context(browser, live_server, locale=locale, viewport=viewport)
    for password, opens in ((PASSWORD, False), (NEW_PASSWORD, True)):
        form = {"email": email, "password": password, "csrf_token": _csrf(other)}
        answer = other.request.post("/auth/login", form=form)
        assert (urlsplit(answer.url).path == "/") is opens, password  # signed in: sent home
    other.close()
    context.close()


def _csrf(context) -> str:
    html = context.request.get("/auth/login").text()
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
