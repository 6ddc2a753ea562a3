"""The Vereine's domains and their declared parameters (density, life cycle, money)."""

from __future__ import annotations

from ...parameters import Param, Section

DOMAINS = ("sport", "culture", "social", "education", "environment", "neighbourhood")

SECTION = Section(
    "associations",
    "Vereine: density, life cycle, money",
    [
        Param(
            "associations_per_1000",
            6.8,
            "per 1,000 inhabitants",
            "Initial density",
            "derived: ZiviZ Survey 2023 NRW, 122,222 associations (6.8 per 1,000); "
            "ZiviZ im Stifterverband 2022, Vereine in Deutschland im Jahr 2022 "
            "(summary by Kommunales Sachsen-Anhalt; Aktive Bürgerschaft)",
            (0.0, 30.0),
        ),
        Param(
            "share_sport",
            0.35,
            "share",
            "Sport among Vereine",
            "assumption after FWS areas (sport 13.5% of population engaged, largest)",
            (0.0, 1.0),
        ),
        Param(
            "share_culture",
            0.2,
            "share",
            "Culture and music among Vereine",
            "assumption after FWS areas (8.6%)",
            (0.0, 1.0),
        ),
        Param(
            "share_social",
            0.15,
            "share",
            "Social among Vereine",
            "assumption after FWS areas (8.3%)",
            (0.0, 1.0),
        ),
        Param(
            "share_education",
            0.1,
            "share",
            "School and education among Vereine",
            "assumption after FWS areas (8.2%)",
            (0.0, 1.0),
        ),
        Param(
            "share_environment",
            0.05,
            "share",
            "Environment among Vereine",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "share_neighbourhood",
            0.15,
            "share",
            "Neighbourhood among Vereine",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "founding_per_1000_young_engaged",
            2.5,
            "1/year",
            "Foundings per 1,000 engaged citizens aged 18-35 (M13)",
            "calibrated: keeps the Verein stock about constant at pressure 0, as in ZiviZ "
            "(9,352 registrations 2021 on 615,759, 1.5%/year)",
            (0.0, 20.0),
        ),
        Param(
            "dissolution_rate",
            0.012,
            "1/year",
            "Base dissolution hazard (M13)",
            "ZiviZ figures 2016 reported by nordbayern.de 21.7.2017 (foundings "
            "~15,000 and deletions ~10,000 in 2013)",
            (0.0, 0.5),
        ),
        Param(
            "dissolution_small",
            0.15,
            "1/year",
            "Extra hazard below the minimum membership",
            "assumption",
            (0.0, 2.0),
        ),
        Param(
            "dissolution_leaderless",
            0.3,
            "1/year",
            "Extra hazard after a year leaderless",
            "assumption after ZiviZ (board succession is the most named problem)",
            (0.0, 2.0),
        ),
        Param(
            "min_members",
            7,
            "members",
            "Members needed to found and keep a registered Verein",
            "BGB §56 (seven members to register an e.V.)",
            (2, 50),
            sweepable=False,
        ),
        Param(
            "succession_rate",
            0.25,
            "1/month",
            "Chance a leaderless Verein finds a leader",
            "assumption",
            (0.0, 1.0),
        ),
        Param("dues_per_member", 5.0, "EUR/month", "Membership dues", "assumption", (0.0, 100.0)),
        Param(
            "association_fixed_costs",
            40.0,
            "EUR/month",
            "Running costs of a Verein",
            "assumption",
            (0.0, 10000.0),
        ),
        Param(
            "reserve_months",
            24.0,
            "months",
            "Funds a Verein keeps, in months of its dues; the rest is spent on its activities",
            "assumption after the rule of timely use of funds (zeitnahe Mittelverwendung, "
            "AO §55 (1) 5: income used by the end of the second year after receipt; small "
            "Vereine are exempt since 2020, so here a behavioural assumption)",
            (0.0, 240.0),
        ),
    ],
)

#: parameters of other sections the Vereine read, and why: ``leader_spare_hours``
#: (initiatives, M10) is the spare time anyone needs to lead, a Verein as an initiative
SHARED = ("leader_spare_hours",)
