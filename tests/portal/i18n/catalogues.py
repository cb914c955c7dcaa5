"""What the project marks for translation, and what its catalogues hold (docs/i18n.md).

Pure Python (Django's template-to-gettext conversion and Babel's extractor), so the check runs
where GNU gettext is not installed.
"""

import functools
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.extract import extract
from babel.messages.pofile import read_po
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
PYTHON_PACKAGES = ["portal", "partners", "referrals", "campaigns", "training", "dashboards"]
LANGUAGES = ["fr", "ar"]
PLURAL_FORMS = {"fr": 2, "ar": 6}
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext_noop": (1, 2),
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


@dataclass(frozen=True)
class Marked:
    where: str
    msgid: str | tuple[str, ...]
    context: str | None

    @property
    def key(self) -> str:
        return self.msgid[0] if isinstance(self.msgid, tuple) else self.msgid


def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


def python_files() -> list[Path]:
    files = []
    for package in PYTHON_PACKAGES:
        files += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    return sorted(files)


def _extract(source: str, where: Path) -> list[Marked]:
    found = extract("python", io.BytesIO(source.encode()), keywords=KEYWORDS, comment_tags=(), options={})
    relative = where.relative_to(ROOT) if where.is_relative_to(ROOT) else where.name
    return [Marked(f"{relative}:{line}", msgid, context) for line, msgid, _comments, context in found]


def marked_in_template(path: Path) -> list[Marked]:
    # Django's xgettext-shaped text keeps the template's indentation, which Python's tokenizer
    # would refuse; the strings and their line numbers stay as they are.
    code = "\n".join(line.lstrip() for line in templatize(path.read_text(), origin=str(path)).splitlines())
    return _extract(code, path)


def marked_in_templates() -> list[Marked]:
    return [item for path in template_files() for item in marked_in_template(path)]


def marked_in_javascript() -> list[Marked]:
    marked = []
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        found = extract("javascript", io.BytesIO(path.read_bytes()), keywords=KEYWORDS, comment_tags=(), options={})
        marked += [Marked(f"{path.relative_to(ROOT)}:{line}", msgid, ctx) for line, msgid, _c, ctx in found]
    return marked


def marked_in_python() -> list[Marked]:
    marked = []
    for path in python_files():
        marked += _extract(path.read_text(), path)
    return marked


@functools.cache
def catalogue(language: str, domain: str = "django"):
    path = ROOT / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def translation_faults(language: str, marked: list[Marked], domain: str = "django") -> list[str]:
    """Each marked string the catalogue lacks, leaves empty or marks fuzzy, with where it is."""
    faults = []
    catalog = catalogue(language, domain)
    for item in marked:
        message = catalog.get(item.key, context=item.context)
        if message is None:
            faults.append(f"{item.where}: not in locale/{language}: {item.key!r}")
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            faults.append(f"{item.where}: fuzzy in locale/{language}: {item.key!r}")
        elif not all(strings) or (isinstance(item.msgid, tuple) and len(strings) != PLURAL_FORMS[language]):
            faults.append(f"{item.where}: untranslated in locale/{language}: {item.key!r}")
    return faults


# --- Text left unmarked in templates ------------------------------------------------------------

PLACEHOLDER = "\ue000"
# Attributes whose values people read (or hear).
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-roledescription"}
# Words that are the same in every language: the product's name, symbols.
NOT_WORDS = re.compile(r"Counterpoint|&[a-z]+;|&#x?[0-9a-f]+;", re.IGNORECASE)
LETTER = re.compile(r"[^\W\d_]")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        # Keys (<kbd>j</kbd>) and code are the same in every language.
        if tag in {"script", "style", "kbd", "code"}:
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._check(value)
            if name == "value" and value and ("type", "submit") in attrs:
                self._check(value)

    def handle_endtag(self, tag):
        if tag in {"script", "style", "kbd", "code"}:
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if not self._skip:
            self._check(data)

    def _check(self, text):
        words = NOT_WORDS.sub("", text.replace(PLACEHOLDER, " "))
        if LETTER.search(words):
            self.found.append(" ".join(text.replace(PLACEHOLDER, "…").split()))


def _without_template_code(source: str) -> str:
    """The template's text with every tag and variable a placeholder, and the insides of
    blocktranslate, comment and verbatim-like blocks dropped (they are marked or not text)."""
    parts, skipping = [], None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if skipping:
                if name == skipping:
                    skipping = None
                continue
            if name in {"blocktranslate", "blocktrans"}:
                skipping = "end" + name
            elif name == "comment":
                skipping = "endcomment"
            elif token.contents.split()[1:2] == ["main_class"]:
                skipping = "endblock"  # CSS class names
            parts.append(PLACEHOLDER)
        elif token.token_type == TokenType.TEXT:
            if not skipping:
                parts.append(token.contents)
        elif not skipping:
            parts.append(PLACEHOLDER)
    return "".join(parts)


def unmarked_text(path: Path) -> list[str]:
    text = _without_template_code(path.read_text())
    if path.suffix == ".txt":
        # Paths and addresses in plain-text e-mails (`{{ base_url }}/queues/`) are not words.
        lines = [(line, NOT_WORDS.sub("", re.sub(r"\S*/\S*", "", line))) for line in text.splitlines()]
        return [line.strip() for line, words in lines if LETTER.search(words)]
    parser = _Text()
    parser.feed(text)
    parser.close()
    return parser.found
