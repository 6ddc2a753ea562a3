"""The declared parameters of the initiatives' life cycle (ODD 7.8): section ``initiatives``.

Initiatives read only this section through their view (:attr:`Initiatives.p`), plus the
shared parameters listed in :data:`SHARED`.
"""

from __future__ import annotations

from ...parameters import Param, Section

SECTION = Section(
    "initiatives",
    "Co-production initiatives and their life cycle",
    [
        Param(
            "idea_rate",
            6.0,
            "per 1,000 engaged/year",
            "Public-interest ideas (M15)",
            "assumption",
            (0.0, 100.0),
        ),
        Param(
            "need_weight", 2.0, "", "Extra ideas per unit of unmet need", "assumption", (0.0, 20.0)
        ),
        Param(
            "idea_conversion",
            0.15,
            "1/month",
            "Chance an idea becomes a proposal",
            "assumption (participation funnels fund a few % of ideas, M15)",
            (0.0, 1.0),
        ),
        Param(
            "idea_lifetime",
            7,
            "months",
            "Ideas not taken up are dropped after this",
            "assumption (until December 2026 the rule kept ideas a month past the declared 6;"
            " 7 keeps the lifetime the calibration was made with)",
            (1, 60),
        ),
        Param(
            "leader_spare_hours",
            1.0,
            "h/week",
            "Spare time a leader needs (M10)",
            "assumption after Ghorbani et al. 2020",
            (0.0, 20.0),
        ),
        Param(
            "min_volunteers",
            3,
            "citizens",
            "People (the leader included) an initiative needs to submit and to stay healthy",
            "assumption",
            (0, 50),
        ),
        Param(
            "target_volunteers",
            8,
            "citizens",
            "Volunteers an initiative tries to keep",
            "Schubert, Kuhn & Tahmaz 2023, ZiviZ-Survey 2023 (Stifterverband), "
            "press release and ngo-dialog summary",
            (1, 100),
        ),
        Param(
            "recruit_rate",
            0.15,
            "1/month",
            "Chance a suitable contact is recruited",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "proposal_lifetime",
            10,
            "months",
            "Proposals not ready are dropped after this",
            "assumption (until December 2026 the rule kept proposals a month past the declared"
            " 9; 10 keeps the lifetime the calibration was made with)",
            (1, 60),
        ),
        Param(
            "money_need_median",
            2000.0,
            "EUR",
            "Median money an initiative needs",
            "Dortmund neighbourhood funds: Unionviertel Quartiersfonds; Nordstadt "
            "Quartiersfonds 2016; Stadtteilfonds Westerfilde & Bodelschwingh",
            (0.0, 1e6),
        ),
        Param(
            "volunteer_contribution",
            20.0,
            "EUR/month",
            "Money each volunteer chips in",
            "assumption",
            (0.0, 1000.0),
        ),
        Param(
            "business_search",
            1.0,
            "1/month",
            "Chance to find a business partner at CSR 1",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "business_gift",
            1000.0,
            "EUR",
            "Money a business partner gives",
            "assumption",
            (0.0, 1e6),
        ),
        Param(
            "business_space_share",
            0.3,
            "share",
            "Business partners that also offer rooms (CSR)",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "business_staff_hours",
            4.0,
            "h/month",
            "Staff time a business partner gives a producing initiative (corporate volunteering)",
            "assumption",
            (0.0, 200.0),
        ),
        Param(
            "space_share",
            0.4,
            "share",
            "Initiatives outside the space domain needing rooms",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "space_find_rate",
            0.1,
            "1/month",
            "Chance to find rooms (Verein, school, business) without help",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "fail_base",
            0.01,
            "1/month",
            "Base failure hazard of an active initiative",
            "Mathematica for RWJF, Local Initiative Funding Partners evaluation; "
            "Evaluation and Program Planning 29(2) 2006",
            (0.0, 0.5),
        ),
        Param(
            "fail_understaffed",
            0.05,
            "1/month",
            "Extra hazard below min_volunteers",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "fail_leaderless",
            0.1,
            "1/month",
            "Extra hazard without a leader (M10)",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "fail_underfunded",
            0.03,
            "1/month",
            "Extra hazard while money is short of need",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "fail_burnout",
            0.1,
            "1/month",
            "Extra hazard per unit of volunteers' burnout",
            "assumption after Allen & Mueller 2013",
            (0.0, 1.0),
        ),
        Param(
            "sustain_months",
            24,
            "months",
            "Active months after which it is sustained",
            "assumption",
            (1, 240),
        ),
        Param(
            "sustained_end_rate",
            0.005,
            "1/month",
            "Hazard a sustained initiative ends",
            "Mathematica for RWJF, Local Initiative Funding Partners evaluation; "
            "Evaluation and Program Planning 29(2) 2006",
            (0.0, 0.5),
        ),
    ],
)
#: parameters of other sections that the initiatives' rules read, and why:
#: ``willing_cutoff`` (engagement, ODD 7.4) decides who is willing to be recruited
SHARED = ("willing_cutoff",)
