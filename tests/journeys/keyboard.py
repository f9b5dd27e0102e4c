"""Walking a page by keyboard only, counting what it costs.

Issue 14 asks the journeys of commenting, answering, approving and signing to be walked by
keyboard alone, and the number of Tab presses and clicks recorded. `Keyboard` wraps a
Playwright page: `tab_to` presses Tab (or Shift+Tab) until the focus is on the element a
locator names, `press` presses any other key, `click` clicks with the mouse (kept apart, so
that a keyboard journey can assert it made none). The counts end up in `counts()`, which a
journey prints (run with `-s` to read them) and asserts against a ceiling.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import Locator, Page

# More Tab presses than this to reach one element: the element is not reachable, or the page
# makes people work too hard to reach it.
MAX_TABS = 80


class NotReachable(AssertionError):
    pass


@dataclass
class Keyboard:
    page: Page
    tabs: int = 0
    keys: int = 0
    clicks: int = 0
    steps: list[str] = field(default_factory=list)

    def focused(self, locator: Locator) -> bool:
        return bool(locator.evaluate("element => element === document.activeElement"))

    def tab_to(self, locator: Locator, *, backwards: bool = False, limit: int = MAX_TABS) -> None:
        """Tab (Shift+Tab with `backwards`) until `locator` (one element) has the focus."""
        key = "Shift+Tab" if backwards else "Tab"
        target = locator.first if hasattr(locator, "first") else locator
        target.wait_for(state="attached")
        for _ in range(limit):
            if self.focused(target):
                return
            self.page.keyboard.press(key)
            self.tabs += 1
        if not self.focused(target):
            raise NotReachable(f"not reached by {limit} presses of {key}: {target}")

    def press(self, key: str, *, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.keys += 1

    def type(self, text: str) -> None:
        """Typing text into the focused field (counted as one step, not per character)."""
        self.page.keyboard.type(text)
        self.steps.append(f"typed {len(text)} characters")

    def click(self, locator: Locator) -> None:
        locator.click()
        self.clicks += 1

    def counts(self) -> dict[str, int]:
        return {"tabs": self.tabs, "keys": self.keys, "clicks": self.clicks}

    def report(self, journey_name: str) -> str:
        line = (
            f"{journey_name}: {self.tabs} Tab presses, {self.keys} other keys, {self.clicks} clicks"
        )
        print(line)
        return line
