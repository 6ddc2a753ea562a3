"""The four pages: join, role (play), public view (projector) and facilitator console.

Each page is a small HTML shell; ``static/classroom.js`` fills it from the JSON API, so no
page needs anything from the internet.  Labels are in the server's language.
"""

from __future__ import annotations

import html
import json

TEXT: dict[str, tuple[str, str]] = {
    "title": ("kosi-sim classroom", "kosi-sim Klassenzimmer"),
    "code": ("Room code", "Raumcode"),
    "name": ("Your name", "Dein Name"),
    "role_any": ("any role", "beliebige Rolle"),
    "join": ("Join", "Beitreten"),
    "submit": ("Submit decision", "Entscheidung abgeben"),
    "submitted": ("submitted", "abgegeben"),
    "waiting": ("waiting", "ausstehend"),
    "year": ("Year", "Jahr"),
    "of": ("of", "von"),
    "finished": ("The game is finished.", "Das Spiel ist beendet."),
    "locked": ("The facilitator locked your role.", "Die Spielleitung hat deine Rolle gesperrt."),
    "last_year": ("Last year: your city and its twin", "Letztes Jahr: eure Stadt und ihr Zwilling"),
    "played": ("your city", "eure Stadt"),
    "twin": ("twin", "Zwilling"),
    "budget": ("Budget (EUR/year)", "Budget (EUR/Jahr)"),
    "staff": ("Staff (FTE)", "Personal (VZÄ)"),
    "districts": ("Districts", "Bezirke"),
    "project": ("Project size (EUR)", "Projektgröße (EUR)"),
    "left": ("left", "übrig"),
    "key": ("Facilitator key", "Schlüssel der Spielleitung"),
    "create": ("Open a room", "Raum öffnen"),
    "with_lab": ("with a lab", "mit Labor"),
    "with_citizens": ("with district councils", "mit Bezirksvertretungen"),
    "pick": ("students pick their role", "Rollen frei wählbar"),
    "years": ("Years", "Jahre"),
    "advance": ("Play the year now", "Jahr jetzt spielen"),
    "timer": ("Timer (s, 0 = none)", "Zeitlimit (s, 0 = keins)"),
    "set_timer": ("set timer", "Zeitlimit setzen"),
    "lock": ("lock", "sperren"),
    "defaults": ("defaults", "Voreinstellung"),
    "players": ("Players", "Teilnehmende"),
    "debrief": ("Debrief", "Nachbesprechung"),
    "replicates": ("Run more pairs", "Weitere Paare rechnen"),
    "export": ("Export", "Exportieren"),
    "print": ("Printable page", "Druckansicht"),
    "indicators": ("Main indicators", "Hauptindikatoren"),
    "roles": ("Roles", "Rollen"),
    "remaining": ("time left", "verbleibend"),
    "public": ("public view", "öffentliche Ansicht"),
    "difference": ("your city minus twin", "eure Stadt minus Zwilling"),
}


def page(kind: str, code: str, lang: str) -> str:
    texts = {k: v[0 if lang == "en" else 1] for k, v in TEXT.items()}
    data = html.escape(json.dumps({"page": kind, "code": code, "lang": lang, "t": texts}))
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(texts['title'])}</title>"
        "<link rel='stylesheet' href='/static/classroom.css'></head>"
        f"<body data-config=\"{data}\"><main id='main'></main>"
        "<p id='msg' role='status'></p>"
        "<script src='/static/classroom.js'></script></body></html>"
    )
