"""Logging in as a demo person in a browser page, as the tests of every page start."""

from networks.demo import DEMO_PASSWORD


def log_in(page, base: str, email: str, *, then: str | None = None) -> None:
    """Log in with the demo password and wait for the start page ("Mitt arbete"); then go to
    `then` if given."""
    page.goto(f"{base}/login/")
    page.locator("[name=username]").fill(email)
    page.locator("[name=password]").fill(DEMO_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{base}/")
    if then:
        page.goto(f"{base}{then}")
