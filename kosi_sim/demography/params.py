"""The parameters of demography (ODD 7.2) and of the two scenario drivers (ODD 7.1),
declared once with unit, range and source."""

from __future__ import annotations

from ..parameters import Param, Section

SECTION = Section(
    "demography",
    "Mortality, fertility, migration and moves",
    [
        Param(
            "life_expectancy_male",
            78.6,
            "years",
            "Period life expectancy at birth, men",
            "Destatis, life table 2021/23",
            (60.0, 95.0),
        ),
        Param(
            "life_expectancy_female",
            83.3,
            "years",
            "Period life expectancy at birth, women",
            "Destatis, life table 2021/23",
            (60.0, 95.0),
        ),
        Param(
            "gompertz_slope",
            0.115,
            "1/year",
            "Rate at which adult mortality rises with age",
            "calibrated: Dortmund's crude death rate (12.2 per 1,000) with German life "
            "expectancy; within the usual range of modern Gompertz slopes (0.09-0.12)",
            (0.05, 0.15),
        ),
        Param(
            "infant_mortality",
            0.003,
            "1/year",
            "Death rate in the first year of life",
            "assumption: order of German infant mortality (about 3 per 1,000 live births)",
            (0.0, 0.05),
        ),
        Param(
            "total_fertility_rate",
            1.39,
            "children/woman",
            "Total fertility rate",
            "IT.NRW 2023 (NRW 1.39; Germany 1.35, Destatis)",
            (0.5, 3.0),
        ),
        Param(
            "mean_age_at_birth",
            31.5,
            "years",
            "Mean age of mothers at birth",
            "assumption: close to the German mean age of mothers (about 31-32)",
            (22.0, 38.0),
        ),
        Param(
            "out_migration_rate",
            0.05,
            "1/year",
            "Gross out-migration across the city border",
            "Wuppertal migration 2023 (wuppertal-total.de) and City of Wuppertal "
            "press release 21.11.2011",
            (0.0, 0.3),
        ),
        Param(
            "net_migration_rate",
            0.003,
            "1/year",
            "Net migration across the city border at zero demographic pressure",
            "derived: NRW's net migration in years without a refugee peak, +59,575 "
            "(2017) and +45,864 (2021) on about 17.9 m inhabitants, +2.6 to +3.3 "
            "per 1,000 (IT.NRW); +6.8 in 2023 and +15.7 in 2022 with refugees from "
            "Ukraine; Wuppertal migration 2023 (wuppertal-total.de) and City of "
            "Wuppertal press release 21.11.2011",
            (-0.05, 0.05),
        ),
        Param(
            "internal_move_rate",
            0.04,
            "1/year",
            "Moves between Stadtbezirke",
            "Techem, Umzugsquote 2016 (tenant changes in 1.8 m flats)",
            (0.0, 0.3),
        ),
    ],
)

PRESSURE = Section(
    "drivers",
    "The two headline levers of a scenario and what demographic pressure does",
    [
        Param(
            "demographic_pressure",
            0.0,
            "index",
            "0 = today's rates; 1 = strong ageing, out-migration of the young, fiscal stress",
            "assumption: scenario lever",
            (0.0, 1.0),
        ),
        Param(
            "civic_engagement",
            1.0,
            "index",
            "Scales willingness and intrinsic motivation (1 = calibrated)",
            "assumption: scenario lever",
            (0.25, 2.0),
        ),
        Param(
            "pressure_young_out_migration",
            0.4,
            "multiplier",
            "Extra out-migration of 18-34 year olds at full pressure (0.4 = 1.4 times)",
            "assumption: at full pressure the baseline city loses about 30% of its population "
            "in 20 years, as the most shrinking German cities did (Haase et al. 2010)",
            (0.0, 5.0),
        ),
        Param(
            "pressure_in_migration",
            0.15,
            "share",
            "Fall in in-migration of under-40s at full pressure",
            "assumption",
            (0.0, 1.0),
        ),
        Param(
            "pressure_fertility",
            -0.2,
            "share",
            "Change in the TFR at full pressure",
            "assumption",
            (-0.8, 0.5),
        ),
        Param(
            "pressure_revenue",
            -0.15,
            "share",
            "Change in revenue per inhabitant at full pressure (fiscal stress)",
            "assumption",
            (-0.8, 0.5),
        ),
    ],
)

#: parameters of another section the demography reads, and why: the demographic pressure
#: and what it does to fertility, the young's out-migration and in-migration (drivers,
#: ODD 7.1) shape the rates
SHARED = (
    "demographic_pressure",
    "pressure_fertility",
    "pressure_young_out_migration",
    "pressure_in_migration",
)
