"""axe-core in the browser lane (SPEC §20): run it on the page a browser shows, check a form
that came back with errors, and say what fails where, one line per element."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

AXE = Axe()

# Rules switched off, each with the reason it is a false positive here. Keep it empty unless
# axe is wrong about the page, not merely inconvenient.
DISABLED_RULES: dict[str, str] = {}

# Empty every field a person fills in, and let the server judge: browser validation (`required`,
# `type=email`) would otherwise stop the form before the server's error summary is shown.
CLEAR_FORM = """form => {
  form.noValidate = true;
  for (const el of form.elements) {
    if (el.type === "hidden" || el.type === "submit" || el.type === "button" || el.disabled || el.readOnly) continue;
    if (el.type === "checkbox" || el.type === "radio") el.checked = false;
    else if (el.tagName === "SELECT") { if ([...el.options].some(o => o.value === "")) el.value = ""; }
    else if (el.type !== "file") el.value = "";
  }
}"""

# What a form with errors must show (SPEC §20): a summary, linked to each field in error.
ERROR_SUMMARY_PROBLEMS = """prefix => {
  const problems = [];
  if (!document.title.startsWith(prefix)) {
    problems.push(`the title "${document.title}" does not start with "${prefix}"`);
  }
  const summary = document.querySelector(".error-summary");
  if (!summary) return [...problems, "no error summary (.error-summary)"];
  const hashes = [...summary.querySelectorAll("a[href^='#']")].map(a => decodeURIComponent(a.hash.slice(1)));
  for (const hash of hashes) {
    if (!document.getElementById(hash)) problems.push(`the summary links to #${hash}, which is not on the page`);
  }
  for (const field of document.querySelectorAll(".field-error")) {
    const input = field.querySelector("input:not([type=hidden]), select, textarea");
    if (input && !hashes.includes(input.id)) problems.push(`the summary has no link to #${input.id}`);
  }
  if (!hashes.length && !summary.querySelector("li")) problems.push("the error summary lists nothing");
  return problems;
}"""


def axe_violations(page) -> list[str]:
    """`<rule> (<impact>): <help> — <element>` for each element axe finds at fault."""
    options: dict = {"resultTypes": ["violations"]}
    if DISABLED_RULES:
        options["rules"] = {rule: {"enabled": False} for rule in DISABLED_RULES}
    response = AXE.run(page, options=options).response
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — {_target(node)}"
        for violation in response["violations"]
        for node in violation["nodes"]
    ]


def _target(node: dict) -> str:
    # A target is a list of selectors; one inside a frame or shadow root is itself a list.
    return ", ".join(" >> ".join(t) if isinstance(t, list) else t for t in node["target"])


class Audit:
    """Walks pages in one browser tab and collects, by URL and state, what axe and the form
    checks find. `report()` is empty when everything passed."""

    def __init__(self, page, base_url: str, *, language: str, error_prefix: str):
        self.page = page
        self.base_url = base_url
        self.language = language
        self.error_prefix = error_prefix
        self.findings: dict[str, list[str]] = {}
        self.checked: list[str] = []

    def visit(self, path: str, *, status: int = 200, state: str = "") -> None:
        response = self.page.goto(self.base_url + path)
        where = self._where(path, state)
        if response is None or response.status != status:
            self._add(where, [f"status {response.status if response else None}, expected {status}"])
        self.scan(where)

    def scan(self, where: str) -> None:
        """axe on the page as it is now, with every <details> opened so their content counts."""
        self.page.wait_for_load_state()
        self.page.evaluate("() => document.querySelectorAll('details:not([open])').forEach(d => (d.open = true))")
        lines = self._language_problems() + axe_violations(self.page)
        self.checked.append(where)
        self._add(where, lines)

    def submit_with_errors(self, path: str, form: str = "main form[method=post]", *, prepare: str = "") -> None:
        """Open `path`, empty the form (and run `prepare`, JS taking the form, to make it
        invalid where emptying is not enough), submit it past browser validation, and check
        the page that comes back: title, error summary linked to each field and focused, axe."""
        self.visit(path)
        self.submit_form_with_errors(path, form, prepare=prepare)

    def submit_form_with_errors(self, where: str, form: str = "main form[method=post]", *, prepare: str = "") -> None:
        """Submit the form on the page as it is, emptied (see `submit_with_errors`)."""
        target = self.page.locator(form).first
        target.evaluate(CLEAR_FORM)
        if prepare:
            target.evaluate(prepare)
        with self.page.expect_navigation():
            target.locator("button[type=submit], button:not([type]), input[type=submit]").first.click()
        where = self._where(where, "with errors")
        self.page.wait_for_load_state()
        problems = self.page.evaluate(ERROR_SUMMARY_PROBLEMS, self.error_prefix)
        if not any(p.startswith("no error summary") for p in problems):
            try:
                self.page.wait_for_function(
                    "() => document.activeElement?.classList.contains('error-summary')", timeout=3_000
                )
            except PlaywrightTimeoutError:
                focused = self.page.evaluate("() => document.activeElement?.outerHTML.slice(0, 80)")
                problems.append(f"the error summary does not have the focus ({focused} has)")
        self._add(where, [f"error summary: {p}" for p in problems])
        self.scan(where)

    def report(self) -> str:
        return "\n".join(
            f"{where}\n" + "\n".join(f"  {line}" for line in lines) for where, lines in self.findings.items()
        )

    def _where(self, path: str, state: str) -> str:
        return f"{path} ({state})" if state else path

    def _add(self, where: str, lines: list[str]) -> None:
        if lines:
            self.findings.setdefault(where, []).extend(lines)

    def _language_problems(self) -> list[str]:
        lang, direction = self.page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]")
        expected = "rtl" if self.language == "ar" else "ltr"
        if lang != self.language or direction != expected:
            return [f'<html lang="{lang}" dir="{direction}">, expected lang="{self.language}" dir="{expected}"']
        return []
