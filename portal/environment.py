"""Reading settings from the environment: each helper fails loudly, naming the variable, on a
value it cannot parse. Used by portal/settings.py before Django is set up."""

import re
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


_RATE_LIMIT = re.compile(r"^\d+/\d*[smhd](/(ip|key|user))?$")
_API_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def env_rate_limit(name: str, default: str) -> str:
    """A rate limit in allauth's notation, e.g. `5/h/ip` or `10/m/ip,100/d/ip`."""
    raw = env.str(name, default=default).strip()
    if not all(_RATE_LIMIT.match(part.strip()) for part in raw.split(",")):
        raise ImproperlyConfigured(
            f"{name} must look like 5/h/ip (count/period/ip|key|user, comma-separated); got {raw!r}"
        )
    return raw


def env_api_rate(name: str, default: str) -> str | None:
    """A DRF throttle rate such as `5000/minute`; `off` turns that throttle off."""
    raw = env.str(name, default=default).strip().lower()
    if raw == "off":
        return None
    if not _API_RATE.match(raw):
        raise ImproperlyConfigured(
            f"{name} must look like 5000/minute (count/second|minute|hour|day) or off; got {raw!r}"
        )
    return raw


def env_url(name: str, parse, default: str | None, *, schemes: tuple[str, ...]):
    raw = env.str(name, default=default)
    if raw is None:
        return None
    scheme = raw.split("://", 1)[0].lower() if "://" in raw else ""
    if scheme not in schemes:
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ImproperlyConfigured(f"{name} must start with one of {allowed}; got {raw!r}")
    try:
        return parse(raw)
    except Exception as exc:  # environ raises several types for malformed URLs
        raise ImproperlyConfigured(f"{name} is not a valid URL: {exc}") from None


def env_tdb_url(name: str) -> str:
    """The DSA Transparency Database's base URL: https, or http to a local test server only
    (the token travels with every request)."""
    raw = env.str(name, default="").strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not parts.hostname or not (parts.scheme == "https" or (parts.scheme == "http" and local)):
        raise ImproperlyConfigured(f"{name} must be an https:// URL (http:// only to this machine); got {raw!r}")
    if parts.query or parts.fragment:
        raise ImproperlyConfigured(f"{name} must be the database's base URL, without a query; got {raw!r}")
    return raw.rstrip("/")
