"""A person-readable name for the device of a login ("Firefox op Windows"), from its User-Agent header."""

from __future__ import annotations

from flask_babel import gettext as _

# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device_name(user_agent: str | None) -> str:
    """E.g. "Firefox op Windows"; "Onbekend apparaat" when the header says nothing we recognise."""
    ua = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in ua), None)
    system = next((name for marker, name in _SYSTEMS if marker in ua), None)
    if browser and system:
        return _("%(browser)s op %(system)s", browser=browser, system=system)
    return browser or system or _("Onbekend apparaat")
