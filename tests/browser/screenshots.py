"""Screenshots of a browser story into test-results/<folder>/, in English and, by the person's
own language setting, in Arabic (the page must turn right-to-left, and back)."""

from pathlib import Path

from django.conf import settings


class Screenshots:
    def __init__(self, folder: str):
        self.root = Path(settings.BASE_DIR) / "test-results" / folder

    def shoot(self, page, name: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=self.root / f"{name}.png", full_page=True)

    def in_arabic(self, page, user, name: str) -> None:
        """The page as it is, read in Arabic (the person's own setting), then back to English."""
        user.language = "ar"
        user.save(update_fields=["language"])
        page.reload()
        assert page.locator("html").get_attribute("dir") == "rtl"
        self.shoot(page, f"{name}-ar")
        user.language = ""
        user.save(update_fields=["language"])
        page.reload()
        assert page.locator("html").get_attribute("dir") == "ltr"
