"""Target normalisation (SPEC §3.3): a submitted URL or platform+account becomes a subject.

Pure Python: no Django, no I/O. `normalise_target` either returns a `Target` or raises
`TargetError`, whose message is meant for the submitter (the API puts it in a 400).

Canonical forms:
- platform: a known name (`x`, `facebook`, `telegram`, `youtube`, `instagram`, `tiktok`) or,
  for any other site, its host without `www.`, lower-case, with IDN hosts converted to
  ASCII (punycode, e.g. `bücher.de` → `xn--bcher-kva.de`) so both spellings are one platform;
- account: without leading `@`, lower-cased, except YouTube channel ids (`UC…`), which are
  case-sensitive; facebook numeric ids are kept as they are;
- url: scheme and host lower-cased (the host in its ASCII form, default port dropped),
  fragment and query dropped except the parameters that identify the target
  (`profile.php?id=`, `watch?v=`, …), empty path segments and trailing slash removed.
The platform form accepts the names above, the aliases in `PLATFORM_ALIASES`, or a host.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from referrals.engine.text import Text, gettext_noop

MAX_URL_LENGTH = 2000
# Accounts and content ids end up in indexed columns; anything longer is not a real handle.
MAX_PART_LENGTH = 255

PLATFORM_ALIASES = {"twitter": "x", "fb": "facebook", "tg": "telegram", "yt": "youtube", "ig": "instagram"}


class TargetError(ValueError):
    """A target that names no subject or content; `str(error)` is shown to the submitter."""


@dataclass(frozen=True)
class Target:
    platform: str
    account: str  # "" when the target names only content
    content_id: str  # "" when the target names only an account
    url: str  # the cleaned URL, "" for the platform+account form


def subject_key(t: Target) -> tuple[str, str] | None:
    """(platform, account) identifying the subject, or None for a content-only target."""
    return (t.platform, t.account) if t.account else None


# A parser gets the unquoted, non-empty path segments and the query and returns
# (account, content_id, query parameters worth keeping in the cleaned URL).
Parsed = tuple[str, str, dict[str, str]]
Parser = Callable[[list[str], dict[str, list[str]]], Parsed]


def _seg(segs: list[str], i: int) -> str:
    return segs[i] if len(segs) > i else ""


def _param(query: dict[str, list[str]], name: str) -> str:
    return (query.get(name) or [""])[0].strip()


def _kept(**params: str) -> dict[str, str]:
    return {k: v for k, v in params.items() if v}


_X_RESERVED = frozenset(
    {"i", "home", "search", "hashtag", "intent", "explore", "settings", "messages"}
    | {"notifications", "compose", "login", "logout", "signup", "share", "tos", "privacy"}
)


def _parse_x(segs: list[str], query: dict[str, list[str]]) -> Parsed:
    lowered = [s.lower() for s in segs]
    content = ""
    for marker in ("status", "statuses"):
        # /{handle}/status/{id}, and /i/web/status/{id} which names a post but not its author
        if marker in lowered[1:]:
            content = _seg(segs, lowered.index(marker, 1) + 1)
            break
    if not segs or lowered[0] in _X_RESERVED:
        return "", content, {}
    return segs[0], content, {}


_FB_RESERVED = frozenset(
    {"groups", "events", "marketplace", "hashtag", "login", "login.php", "sharer"}
    | {"sharer.php", "share", "home.php", "help", "settings", "search", "gaming", "pages"}
)


def _parse_facebook(segs: list[str], query: dict[str, list[str]]) -> Parsed:
    first = _seg(segs, 0).lower()
    if first == "profile.php":
        return _param(query, "id"), "", _kept(id=_param(query, "id"))
    if first in ("story.php", "permalink.php"):
        account, story = _param(query, "id"), _param(query, "story_fbid")
        return account, story, _kept(story_fbid=story, id=account)
    if first == "photo.php":
        return "", _param(query, "fbid"), _kept(fbid=_param(query, "fbid"))
    if first == "watch":
        return "", _param(query, "v"), _kept(v=_param(query, "v"))
    if not segs or first in _FB_RESERVED:
        return "", "", {}
    content = _seg(segs, 2) if _seg(segs, 1).lower() in ("posts", "videos") else ""
    return segs[0], content, {}


# Telegram usernames have at least five characters, so these never collide with a channel.
_TG_RESERVED = frozenset({"joinchat", "addstickers", "addemoji", "addtheme", "share", "proxy", "socks", "iv", "login"})


def _parse_telegram(segs: list[str], query: dict[str, list[str]]) -> Parsed:
    if _seg(segs, 0).lower() == "s":  # the web preview: /s/{channel}[/{post}]
        segs = segs[1:]
    first = _seg(segs, 0).lower()
    if first == "c":  # private channels: /c/{internal id}/{post}
        return _seg(segs, 1), _seg(segs, 2), {}
    if not segs or first in _TG_RESERVED or first.startswith("+"):  # "+…" is an invite link
        return "", "", {}
    return segs[0], _seg(segs, 1), {}


def _parse_youtube(segs: list[str], query: dict[str, list[str]]) -> Parsed:
    first = _seg(segs, 0)
    if first.startswith("@"):
        return first, "", {}
    if first.lower() in ("channel", "c", "user"):
        return _seg(segs, 1), "", {}
    if first.lower() == "watch":
        return "", _param(query, "v"), _kept(v=_param(query, "v"))
    if first.lower() in ("shorts", "live", "embed", "v"):
        return "", _seg(segs, 1), {}
    return "", "", {}


def _parse_youtu_be(segs: list[str], query: dict[str, list[str]]) -> Parsed:
    return "", _seg(segs, 0), {}


_IG_CONTENT = frozenset({"p", "reel", "reels", "tv"})
_IG_RESERVED = frozenset({"explore", "accounts", "direct", "about", "developer", "legal"})


def _parse_instagram(segs: list[str], query: dict[str, list[str]]) -> Parsed:
    first = _seg(segs, 0).lower()
    if first in _IG_CONTENT:
        return "", _seg(segs, 1), {}
    if first == "stories":  # /stories/{handle}/{id}; highlights belong to no handle in the URL
        if _seg(segs, 1).lower() == "highlights":
            return "", _seg(segs, 2), {}
        return _seg(segs, 1), _seg(segs, 2), {}
    if not segs or first in _IG_RESERVED:
        return "", "", {}
    content = _seg(segs, 2) if _seg(segs, 1).lower() in _IG_CONTENT else ""
    return segs[0], content, {}


def _parse_tiktok(segs: list[str], query: dict[str, list[str]]) -> Parsed:
    # Profiles always start with "@"; anything else (/tag, /discover, /music) is not an account.
    if not _seg(segs, 0).startswith("@"):
        return "", "", {}
    content = _seg(segs, 2) if _seg(segs, 1).lower() in ("video", "photo") else ""
    return segs[0], content, {}


def _parse_other(segs: list[str], query: dict[str, list[str]]) -> Parsed:
    return _seg(segs, 0), "", {}


def _host_table() -> dict[str, tuple[str, Parser]]:
    table: dict[str, tuple[str, Parser]] = {}
    for platform, parser, domains, prefixes in (
        ("x", _parse_x, ("twitter.com", "x.com"), ("", "www.", "mobile.")),
        ("facebook", _parse_facebook, ("facebook.com",), ("", "www.", "m.", "mbasic.", "web.")),
        ("facebook", _parse_facebook, ("fb.com",), ("", "www.")),
        ("telegram", _parse_telegram, ("t.me", "telegram.me"), ("", "www.")),
        ("youtube", _parse_youtube, ("youtube.com",), ("", "www.", "m.")),
        ("youtube", _parse_youtu_be, ("youtu.be",), ("", "www.")),
        ("instagram", _parse_instagram, ("instagram.com",), ("", "www.", "m.")),
        ("tiktok", _parse_tiktok, ("tiktok.com",), ("", "www.", "m.")),
    ):
        for domain in domains:
            table.update({prefix + domain: (platform, parser) for prefix in prefixes})
    return table


_KNOWN_HOSTS = _host_table()
KNOWN_PLATFORMS = frozenset(platform for platform, _ in _KNOWN_HOSTS.values())

_YT_CHANNEL_ID = re.compile(r"UC[0-9A-Za-z_-]{22}")
_HOST = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*|[0-9a-f:.]*:[0-9a-f:.]*")
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})


def _has_forbidden_char(text: str) -> bool:
    return any(c.isspace() or unicodedata.category(c) in _FORBIDDEN_CATEGORIES for c in text)


def _ascii_host(host: str) -> str:
    """Lower-case ASCII form of a host name; Unicode (IDN) labels become punycode."""
    host = host.lower().rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError as exc:
            raise TargetError(gettext_noop("The URL's host name is not a valid domain name.")) from exc
    if not host or not _HOST.fullmatch(host):
        raise TargetError(gettext_noop("The URL's host name is not a valid domain name."))
    return host


def _canonical_account(platform: str, account: str) -> str:
    had_at = account.startswith("@")
    account = account.lstrip("@")
    # YouTube channel ids are case-sensitive; "@"-handles and every other platform's are not.
    if platform == "youtube" and not had_at and _YT_CHANNEL_ID.fullmatch(account):
        return account
    return account.lower()


# Whole sentences for each part, so a translation can agree with it.
_PART_ERRORS = {
    "platform": (
        gettext_noop("The platform must not contain '/', spaces or control characters."),
        gettext_noop("The platform is longer than %(max)d characters."),
    ),
    "account": (
        gettext_noop("The account must not contain '/', spaces or control characters."),
        gettext_noop("The account is longer than %(max)d characters."),
    ),
    "content id": (
        gettext_noop("The content id must not contain '/', spaces or control characters."),
        gettext_noop("The content id is longer than %(max)d characters."),
    ),
}


def _check_part(value: str, what: str) -> str:
    if "/" in value or _has_forbidden_char(value):
        raise TargetError(_PART_ERRORS[what][0])
    if len(value) > MAX_PART_LENGTH:
        raise TargetError(Text(_PART_ERRORS[what][1], max=MAX_PART_LENGTH))
    return value


def _canonical_platform(name: str) -> str:
    name = name.lower().removesuffix(".")
    _check_part(name, "platform")
    name = PLATFORM_ALIASES.get(name, name)
    if name in KNOWN_PLATFORMS:
        return name
    try:
        host = _ascii_host(name)  # any other site is named by its host, as in a URL
    except TargetError as exc:
        raise TargetError(gettext_noop("The platform is neither a known platform nor a host name.")) from exc
    return _KNOWN_HOSTS[host][0] if host in _KNOWN_HOSTS else host.removeprefix("www.")


def _text(raw: Mapping, key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # JSON clients send numeric ids as numbers
    if not isinstance(value, str):
        raise TargetError(Text(gettext_noop("The target's %(key)s must be text."), key=key))
    return value.strip()


def _from_url(url: str) -> Target:
    if len(url) > MAX_URL_LENGTH:
        raise TargetError(Text(gettext_noop("The URL is longer than %(max)d characters."), max=MAX_URL_LENGTH))
    if _has_forbidden_char(url):
        raise TargetError(gettext_noop("The URL must not contain spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port  # validates the port as a side effect
    except ValueError as exc:
        raise TargetError(gettext_noop("The URL could not be read.")) from exc
    if parts.scheme not in ("http", "https"):
        raise TargetError(gettext_noop("Only http:// and https:// URLs are accepted."))
    if "@" in parts.netloc:
        raise TargetError(gettext_noop("URLs with a user name or password are not accepted."))
    if not parts.hostname:
        raise TargetError(gettext_noop("The URL has no host name."))
    host = _ascii_host(parts.hostname)
    platform, parser = _KNOWN_HOSTS.get(host, (host.removeprefix("www."), _parse_other))

    raw_segs = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    account, content_id, kept = parser([unquote(s) for s in raw_segs], query)
    account = _check_part(_canonical_account(platform, account.strip()), "account")
    content_id = _check_part(content_id.strip(), "content id")
    if not account and not content_id:
        raise TargetError(
            Text(gettext_noop("The URL does not name an account or a post on %(platform)s."), platform=platform)
        )

    default_port = {"http": 80, "https": 443}[parts.scheme]
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    path = "/" + "/".join(raw_segs) if raw_segs else ""
    clean = f"{parts.scheme}://{netloc}{path}" + (f"?{urlencode(kept)}" if kept else "")
    return Target(platform=platform, account=account, content_id=content_id, url=clean)


def normalise_target(raw: Mapping) -> Target:
    """Normalise `{"url": …}` or `{"platform": …, "account": …}` (optionally `content_id`).

    When both forms are given they must name the same subject. An explicit `content_id`
    fills in a URL that names none, and must agree with one that does.
    """
    if not isinstance(raw, Mapping):
        raise TargetError(gettext_noop("A target must be an object with a url, or a platform and an account."))
    url = _text(raw, "url")
    platform_name = _text(raw, "platform")
    account_name = _text(raw, "account")
    content_id = _check_part(_text(raw, "content_id"), "content id")

    if url:
        target = _from_url(url)
    elif platform_name and account_name:
        platform = _canonical_platform(platform_name)
        account = _check_part(_canonical_account(platform, account_name), "account")
        if not account:
            raise TargetError(gettext_noop("The account is empty."))
        return Target(platform=platform, account=account, content_id=content_id, url="")
    else:
        raise TargetError(gettext_noop("A target needs a url, or a platform and an account."))

    if platform_name and _canonical_platform(platform_name) != target.platform:
        raise TargetError(gettext_noop("The platform does not match the URL."))
    if account_name and _canonical_account(target.platform, account_name) != target.account:
        raise TargetError(gettext_noop("The account does not match the URL."))
    if content_id and target.content_id and content_id != target.content_id:
        raise TargetError(gettext_noop("The content id does not match the URL."))
    if content_id and not target.content_id:
        target = Target(target.platform, target.account, content_id, target.url)
    return target
