"""Logging that never writes a secret: the token of every secret link is masked in every log line.

Django logs the path of a request that ends in 4xx/5xx ("Not Found: /invite/<token>/") and the development
server logs every request line; an invitation, report or worker link in a log would let whoever reads the log
use it. One mechanism marks what is secret: a URL pattern that carries a secret captures it with the `secret`
path converter (`path("r/<secret:token>/", ...)`), and the mask is derived from the URLconf, so a new secret
link is masked as soon as its pattern says so. API tokens (`tbk_…`) travel in a header, but are masked here too
in case one is pasted into a URL.

The production server (`tebiki serve`, gunicorn) puts the same filter on its own loggers with `protect()`.
"""

from __future__ import annotations

import functools
import logging
import re
from urllib.parse import unquote

MASK = "[redacted]"
_SEGMENT = r"[^/\s\"'?#&]+"  # what a logged secret segment can hold, whatever the converter accepted
_TOKEN_FORMATS = [
    (re.compile(r"\btbk_[A-Za-z0-9_-]+"), "tbk_" + MASK),
    (re.compile(r"\btbd_[A-Za-z0-9_-]+"), "tbd_" + MASK),  # a device page link (tebiki.web.devices)
    (re.compile(r"(?i)\b(bearer\s+)\S+"), r"\1" + MASK),
]
# Used when the URLconf cannot be read: then every path is masked after its first segment (fail closed).
_EVERY_PATH = re.compile(r"(?P<pre>/[^/\s\"'?#]+/)[^\s\"'?#]+")
_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


class SecretConverter:
    """A path segment that is a secret (a link's token): matched like `str`, masked in every log line."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def _prefix(pattern) -> tuple[str, bool]:
    """The regex of *pattern*'s text up to its secret segment, and whether it has one."""
    from django.urls.resolvers import RoutePattern

    if not isinstance(pattern, RoutePattern):
        return pattern.regex.pattern.lstrip("^").removesuffix(r"\Z").removesuffix("$"), False
    route, out, pos = str(pattern), [], 0
    for m in _PARAM.finditer(route):
        out.append(re.escape(route[pos:m.start()]))
        converter = pattern.converters[m["name"]]
        if isinstance(converter, SecretConverter):
            return "".join(out), True
        out.append(f"(?:{converter.regex})")
        pos = m.end()
    return "".join(out) + re.escape(route[pos:]), False


def secret_paths(url_patterns, base: str = "") -> list[str]:
    """Regexes of the path text before each secret segment in *url_patterns* (walked through includes)."""
    from django.urls import URLResolver

    found: list[str] = []
    for entry in url_patterns:
        text, secret = _prefix(entry.pattern)
        if secret:
            found.append(base + text)
        elif isinstance(entry, URLResolver):
            found += secret_paths(entry.url_patterns, base + text)
    return sorted(set(found))


@functools.cache
def _secret_regex() -> re.Pattern:
    from django.urls import get_resolver

    prefixes = secret_paths(get_resolver().url_patterns)
    if not prefixes:
        return re.compile(r"(?!)")
    return re.compile(rf"(?P<pre>/(?:{'|'.join(prefixes)})){_SEGMENT}")


def _paths() -> re.Pattern:
    try:
        return _secret_regex()
    except Exception:  # noqa: BLE001 - settings or URLconf not loadable: mask too much rather than too little
        return _EVERY_PATH


def redact(text: str) -> str:
    """*text* with the secret of every secret link, API token and bearer credential replaced by [redacted]."""
    paths = _paths()
    if len(paths.findall(decoded := unquote(text))) > len(paths.findall(text)):
        text = decoded  # a secret hidden by percent-encoding (/%72/<token>/) is masked too
    text = paths.sub(r"\g<pre>" + MASK, text)
    for pattern, replacement in _TOKEN_FORMATS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Masks secrets in a record's message and traceback before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def protect(*logger_names: str) -> None:
    """Mask secrets in everything logged directly on the named loggers, whatever handlers they get later.

    For servers that set up their own loggers, e.g. gunicorn: `protect("gunicorn.access", "gunicorn.error")`
    from its `on_starting` hook. A logger's filter sees the records logged on it, before its handlers.
    """
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
