"""The frameworks a casus fork can exercise: the meldcode's five steps and the afwegingskader's questions.

Names as the course teaches them (module "De meldcode"; basic model of the improved meldcode, 2019).
"""

from __future__ import annotations

MELDCODE_STEPS = {
    1: "Signalen in kaart brengen",
    2: "Collegiale consultatie en zo nodig advies van Veilig Thuis",
    3: "Gesprek met de cliënt",
    4: "Wegen met het afwegingskader",
    5: "Beslissen: melden en/of hulp verlenen of organiseren",
}

AFWEGINGSVRAGEN = {
    1: "Is er een vermoeden van huiselijk geweld of kindermishandeling?",
    2: "Is er sprake van acute en/of structurele onveiligheid?",
    3: "Kan ik effectieve hulp bieden of organiseren?",
    4: "Accepteren de betrokkenen de hulp en werken ze mee?",
    5: "Leidt de hulp op tijd tot de nodige veiligheid en herstel?",
}
