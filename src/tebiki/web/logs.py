"""Logging that never writes a secret: invitation links and enrolment tokens are masked in every log line.

Django logs the path of a request that ends in 4xx/5xx ("Not Found: /invite/<token>/"), and the development
server logs every request line; an invitation link in a log would let whoever reads the log join the
organisation. Passwords are never logged by Django; API tokens travel in a header, but are masked here too
in case one is pasted into a URL.
"""

from __future__ import annotations

import logging
import re

PATTERNS = [
    (re.compile(r"(/invite/)[^/\s\"'?#]+"), r"\1[redacted]"),
    (re.compile(r"\btbk_[A-Za-z0-9_-]+"), "tbk_[redacted]"),
    (re.compile(r"(?i)\b(bearer\s+)\S+"), r"\1[redacted]"),
]


def redact(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True
