"""The Wi-Fi verdict every OS shares: which security names are strong enough."""

from __future__ import annotations

import re
from typing import Any

from .engine import Unknown

WEAK = {"OPEN", "オープン", "NONE", "WEP", "WPA", "WPA1"}
STRONG = {"WPA2", "WPA3"}


def wifi_verdict(securities: list[str]) -> tuple[str, dict[str, Any]]:
    """The security of the Wi-Fi connections in use: WPA2 or WPA3 passes; open, WEP or (first) WPA anywhere
    fails, as the guideline asks the router not to offer them."""
    weak, strong = [], []
    for sec in securities:
        tokens = set(re.split(r"[\s/\-]+", sec.upper().strip())) - {""}
        if not tokens or tokens & WEAK:
            weak.append(sec or "open")
        elif tokens & STRONG:
            strong.append(sec)
        else:
            raise Unknown("wifi_security", value=sec)
    if not weak and not strong:
        raise Unknown("wifi_security", value="")
    return ("fail" if weak else "pass"), {"connected": True, "security": (weak + strong)[:5]}
