"""A reviewer works a queue from the keyboard (SPEC §15): on the work list `?` lists the
shortcuts and Esc closes them, `j`/`k` move through the rows, `c` claims the next referral; on
the review page `d` goes to the decision form, a template fills in the statement with the
account, and "Decide and claim next" records it and opens the next referral. No key acts while
one types in a field or holds a modifier."""

from referrals.models import DecisionTemplate, Queue, Referral, Status
from tests.referrals.review_factories import routed

STATEMENT = "The account {account} recruits for a proscribed organisation and links to its channels."


def _active(page) -> dict:
    """What has the focus: its tag, name, text, and whether it sits in the decision form."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {
                tag: el.tagName.toLowerCase(),
                name: el.getAttribute("name") || "",
                text: (el.textContent || "").trim(),
                inDecision: el.closest("form[aria-labelledby=decide-h]") !== null,
                firstField: el === document.querySelector(
                    "form[aria-labelledby=decide-h] :is(select, textarea, input:not([type=hidden]))"
                ),
            };
        }"""
    )


def test_a_reviewer_works_a_queue_from_the_keyboard(
    page, live_server, sign_in, routing_table, other_ngo_member, reviewer
):
    Queue.objects.get(slug="general").members.add(reviewer)
    first = routed(other_ngo_member, severity="high", accounts=("first_recruiter",))
    second = routed(other_ngo_member, severity="medium", accounts=("second_recruiter",))
    third = routed(other_ngo_member, severity="low", accounts=("third_recruiter",))
    DecisionTemplate.objects.create(
        name="Recruitment",
        action="account_suspended",
        ground="terms",
        policy="Dangerous organisations policy 2.1",
        statement_of_reasons=STATEMENT,
    )

    sign_in(page, reviewer)
    page.goto(f"{live_server.url}/queues/general/")
    page.locator("[data-shortcuts-open]:not([hidden])").wait_for()  # the shortcuts' script has loaded
    assert page.get_by_text("first_recruiter").is_visible()

    # `?` lists the shortcuts in a dialog; Esc closes it.
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    assert not dialog.is_visible()
    page.keyboard.press("?")
    dialog.wait_for()
    assert dialog.get_by_role("heading", name="Keyboard shortcuts").is_visible()
    assert dialog.get_by_text("Claim the next referral of the queue").is_visible()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    # Its button opens it too, and its Close button closes it.
    page.get_by_role("button", name="Keyboard shortcuts").click()
    dialog.wait_for()
    dialog.get_by_role("button", name="Close").click()
    dialog.wait_for(state="hidden")

    # `j` and `k` move the focus down and up the rows.
    page.locator("h1").click()
    page.keyboard.press("j")
    assert _active(page)["text"] == first.reference
    page.keyboard.press("j")
    assert _active(page)["text"] == second.reference
    assert "is-current" in page.get_by_role("row").filter(has_text=second.reference).get_attribute("class")
    page.keyboard.press("j")
    page.keyboard.press("j")  # the last row stays
    assert _active(page)["text"] == third.reference
    page.keyboard.press("k")
    assert _active(page)["text"] == second.reference

    # No key acts with a modifier held, nor while one types.
    page.keyboard.press("Alt+j")
    page.keyboard.press("Shift+K")
    assert _active(page)["text"] == second.reference
    search = page.get_by_role("searchbox").first
    search.click()
    page.keyboard.type("jkcd?")
    assert search.input_value() == "jkcd?"
    assert not dialog.is_visible()
    assert page.url == f"{live_server.url}/queues/general/"
    language = page.get_by_role("search", name="Filter the work list").get_by_label("Language")
    language.focus()
    page.keyboard.press("c")
    assert page.url == f"{live_server.url}/queues/general/"
    assert Referral.objects.filter(assignee=reviewer).count() == 0

    # `c` claims the next referral: the top of the queue.
    page.locator("h1").click()
    page.keyboard.press("c")
    page.wait_for_url(f"{live_server.url}/referrals/{first.reference}/")
    assert page.get_by_text(f"You claimed {first.reference}").is_visible()
    assert Referral.objects.get(pk=first.pk).assignee == reviewer

    # On the review page `d` goes to the decision form's first field.
    page.locator("[data-shortcuts-open]:not([hidden])").wait_for()
    page.keyboard.press("d")
    focused = _active(page)
    assert focused["inDecision"] and focused["firstField"], focused

    # Typing in the statement never fires a shortcut.
    statement = page.get_by_label("Statement of reasons")
    statement.click()
    page.keyboard.type("c d j")
    assert statement.input_value() == "c d j"
    assert page.url == f"{live_server.url}/referrals/{first.reference}/"
    statement.fill("")

    # The template fills in the statement with the account; "Decide and claim next" records the
    # decision and opens the next referral of the queue.
    assert focused["name"] == "template", "the template is the decision form's first field"
    page.get_by_label("Template").select_option(label="Recruitment")
    assert statement.input_value() == STATEMENT.format(account="first_recruiter")
    assert page.get_by_label("Outcome").input_value() == "account_suspended"
    page.get_by_role("button", name="Decide and claim next").click()
    page.wait_for_url(f"{live_server.url}/referrals/{second.reference}/")

    first.refresh_from_db()
    assert first.status == Status.ACTIONED
    assert first.decision.statement_of_reasons == STATEMENT.format(account="first_recruiter")
    second.refresh_from_db()
    assert second.assignee == reviewer and second.status == Status.IN_REVIEW
    # …and the keys work on the next one at once.
    page.locator("[data-shortcuts-open]:not([hidden])").wait_for()
    page.keyboard.press("d")
    assert _active(page)["firstField"]

    # `j` opens the queue's next referral, `k` comes back.
    page.locator("h1").click()
    page.keyboard.press("j")
    page.wait_for_url(f"{live_server.url}/referrals/{third.reference}/")
    page.locator("[data-shortcuts-open]:not([hidden])").wait_for()
    page.keyboard.press("k")
    page.wait_for_url(f"{live_server.url}/referrals/{second.reference}/")
