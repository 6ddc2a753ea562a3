"""English and German labels of the lab instruments and their own parameters (app controls)."""

INSTRUMENTS: dict[str, dict[str, tuple[str, str]]] = {
    # type -> {"en": (name, one-line explanation), "de": (Name, Erklärung)}
    "contact_point": {
        "en": (
            "Contact point for ideas",
            "Advice, moderation, rooms, co-workers and funding help for citizens' ideas.",
        ),
        "de": (
            "Anlaufstelle für Ideen",
            "Beratung, Moderation, Räume, Mitstreitende und Hilfe bei der Förderung "
            "für Ideen aus der Bürgerschaft.",
        ),
    },
    "matching": {
        "en": (
            "Volunteer brokerage",
            "Turns citizens who are willing but inactive into volunteers.",
        ),
        "de": (
            "Engagementvermittlung (Freiwilligenagentur)",
            "Vermittelt engagementbereite, aber bisher inaktive Menschen in ein Ehrenamt.",
        ),
    },
    "ideas_call": {
        "en": (
            "Call for ideas",
            "A periodic open call: ideas, a jury shortlist, then funded projects.",
        ),
        "de": (
            "Ideenaufruf",
            "Regelmäßiger offener Aufruf: Ideen, Vorauswahl durch eine Jury, "
            "dann geförderte Projekte.",
        ),
    },
    "small_grants": {
        "en": (
            "Neighbourhood fund",
            "A resident jury awards many small grants to local initiatives.",
        ),
        "de": (
            "Verfügungsfonds (Nachbarschaftsfonds)",
            "Eine Jury aus Anwohnenden vergibt viele kleine Zuschüsse an Initiativen vor Ort.",
        ),
    },
    "admin_fast_track": {
        "en": (
            "Administration guide (fast track)",
            "A lab team in the administration shortens lead times and prevents "
            "risk-averse rejections.",
        ),
        "de": (
            "Verwaltungslotse (Fast Track)",
            "Ein Lab-Team in der Verwaltung verkürzt Bearbeitungszeiten und verhindert "
            "Ablehnungen aus Risikoscheu.",
        ),
    },
    "space_provision": {
        "en": (
            "Vacant premises for initiatives",
            "Opens vacant premises to initiatives that need space.",
        ),
        "de": (
            "Leerstand für Initiativen",
            "Öffnet leerstehende Räume für Initiativen, die Platz brauchen.",
        ),
    },
    "round_tables": {
        "en": (
            "Round tables",
            "Cross-sector working groups with a facilitator and a mandate.",
        ),
        "de": (
            "Runde Tische",
            "Sektorübergreifende Arbeitsgruppen mit Moderation und Mandat.",
        ),
    },
    "capacity_building": {
        "en": (
            "Training (capacity building)",
            "Training that lowers burnout and turns engaged citizens into leaders.",
        ),
        "de": (
            "Qualifizierung",
            "Fortbildungen, die Überlastung mindern und Engagierte zu Schlüsselpersonen "
            "von Initiativen machen.",
        ),
    },
    "transfer": {
        "en": (
            "Transfer",
            "Copies sustained initiatives into other districts.",
        ),
        "de": (
            "Transfer",
            "Überträgt verstetigte Initiativen in andere Stadtteile.",
        ),
    },
    "participatory_budget": {
        "en": (
            "Participatory budget",
            "Citizens' budget: ideas, public ranking, vote, then funded projects.",
        ),
        "de": (
            "Bürgerhaushalt",
            "Bürgerbudget: Ideen, öffentliche Bewertung, Abstimmung, dann geförderte Projekte.",
        ),
    },
}

PARAMS: dict[str, dict[str, str]] = {
    # "<type>.<param>" -> {"en": short label, "de": kurze Beschriftung}
    # contact_point
    "contact_point.hours_per_consultation": {
        "en": "Staff hours per consultation",
        "de": "Personalstunden je Beratung",
    },
    "contact_point.eur_per_consultation": {
        "en": "Rooms and materials per consultation (EUR)",
        "de": "Räume und Material je Beratung (EUR)",
    },
    "contact_point.conversion_boost": {
        "en": "Extra idea-to-proposal rate (all consulted)",
        "de": "Mehr Ideen werden Anträge (alle beraten)",
    },
    "contact_point.leader_help": {
        "en": "Leader time needed with co-workers (factor)",
        "de": "Zeitbedarf der Leitung mit Hilfe (Faktor)",
    },
    # matching
    "matching.hours_per_match": {
        "en": "Staff hours per brokered citizen",
        "de": "Personalstunden je Vermittlung",
    },
    "matching.match_success": {
        "en": "Share of brokered citizens who start",
        "de": "Anteil Vermittelter, die sich engagieren",
    },
    # ideas_call
    "ideas_call.interval_months": {
        "en": "Months between calls",
        "de": "Monate zwischen zwei Aufrufen",
    },
    "ideas_call.submission_rate": {
        "en": "Share of engaged citizens submitting",
        "de": "Anteil Engagierter, die einreichen",
    },
    "ideas_call.shortlist_share": {
        "en": "Share of submissions shortlisted",
        "de": "Anteil Einreichungen in der Vorauswahl",
    },
    "ideas_call.grant_eur": {
        "en": "Funding per selected idea (EUR)",
        "de": "Förderung je ausgewählter Idee (EUR)",
    },
    "ideas_call.hours_per_submission": {
        "en": "Review hours per submission",
        "de": "Prüfstunden je Einreichung",
    },
    "ideas_call.hours_per_project": {
        "en": "Jury and contract hours per funded project",
        "de": "Jury- und Vertragsstunden je Projekt",
    },
    # small_grants
    "small_grants.grant_eur": {
        "en": "Size of one grant (EUR)",
        "de": "Höhe eines Zuschusses (EUR)",
    },
    "small_grants.hours_per_grant": {
        "en": "Staff hours per grant (jury, paperwork)",
        "de": "Personalstunden je Zuschuss (inkl. Jury)",
    },
    "small_grants.jury_size": {
        "en": "Residents on the jury",
        "de": "Anwohnende in der Jury",
    },
    "small_grants.exposure": {
        "en": "Grant exposure of funded members (0-1)",
        "de": "Fördergeld-Einfluss auf Mitglieder (0-1)",
    },
    "small_grants.exposure_contacts": {
        "en": "Grant exposure of their contacts (0-1)",
        "de": "Fördergeld-Einfluss auf Kontakte (0-1)",
    },
    "small_grants.recruits_per_grant": {
        "en": "Max. recruits per funded initiative",
        "de": "Max. Neuzugänge je geförderter Initiative",
    },
    # admin_fast_track
    "admin_fast_track.hours_per_case": {
        "en": "Staff hours per accompanied proposal",
        "de": "Personalstunden je begleitetem Antrag",
    },
    "admin_fast_track.lead_time_cut": {
        "en": "Lead-time cut (at full coverage)",
        "de": "Verkürzung der Bearbeitungszeit (maximal)",
    },
    "admin_fast_track.rejection_cut": {
        "en": "Risk-averse rejection cut (full coverage)",
        "de": "Weniger Ablehnungen aus Risikoscheu (max.)",
    },
    # space_provision
    "space_provision.rent_eur_per_month": {
        "en": "Cost per premises (EUR/month)",
        "de": "Kosten je Raum (EUR/Monat)",
    },
    "space_provision.hours_per_premises": {
        "en": "Management hours per premises a month",
        "de": "Verwaltungsstunden je Raum und Monat",
    },
    "space_provision.open_chance": {
        "en": "Monthly chance a proposal gets space",
        "de": "Monatliche Chance eines Vorhabens auf Raum",
    },
    # round_tables
    "round_tables.tables_per_year": {
        "en": "Round tables started per year",
        "de": "Neue Runde Tische pro Jahr",
    },
    "round_tables.table_months": {
        "en": "Maximum duration of a table (months)",
        "de": "Höchstdauer eines Tisches (Monate)",
    },
    "round_tables.max_members": {
        "en": "Maximum members per table",
        "de": "Höchstzahl Mitglieder je Tisch",
    },
    "round_tables.citizen_share": {
        "en": "Share of seats for engaged citizens",
        "de": "Sitzanteil engagierter Bürgerinnen und Bürger",
    },
    "round_tables.facilitated": {
        "en": "Led by a skilled facilitator",
        "de": "Professionelle Moderation",
    },
    "round_tables.mandate": {
        "en": "Formal mandate from the city",
        "de": "Formales Mandat der Stadt",
    },
    "round_tables.theme": {
        "en": "Theme (auto = largest unmet need)",
        "de": "Thema (auto = größter ungedeckter Bedarf)",
    },
    "round_tables.base_convergence": {
        "en": "Base monthly chance to agree",
        "de": "Grundchance auf Einigung je Monat",
    },
    "round_tables.facilitation_effect": {
        "en": "Relative gain from facilitation",
        "de": "Relativer Gewinn durch Moderation",
    },
    "round_tables.mandate_effect": {
        "en": "Relative gain from a mandate",
        "de": "Relativer Gewinn durch ein Mandat",
    },
    "round_tables.clash_effect": {
        "en": "Loss from clashing institutional logics",
        "de": "Verlust bei Konflikt der Handlungslogiken",
    },
    "round_tables.group_size_reference": {
        "en": "Size above which cooperation erodes",
        "de": "Größe, ab der Kooperation nachlässt",
    },
    "round_tables.hours_per_meeting": {
        "en": "Facilitator hours per meeting (incl. prep)",
        "de": "Moderation je Sitzung inkl. Vorbereitung (h)",
    },
    "round_tables.eur_per_meeting": {
        "en": "Room and catering per meeting (EUR)",
        "de": "Raum und Verpflegung je Sitzung (EUR)",
    },
    "round_tables.seed_money_eur": {
        "en": "Seed money per joint initiative (EUR)",
        "de": "Startgeld je gemeinsamer Initiative (EUR)",
    },
    # capacity_building
    "capacity_building.courses_per_year": {
        "en": "Courses per year",
        "de": "Kurse pro Jahr",
    },
    "capacity_building.participants_per_course": {
        "en": "Participants per course",
        "de": "Teilnehmende je Kurs",
    },
    "capacity_building.eur_per_participant": {
        "en": "Cost per participant (EUR)",
        "de": "Kosten je teilnehmender Person (EUR)",
    },
    "capacity_building.hours_per_participant": {
        "en": "Staff hours per participant",
        "de": "Personalstunden je teilnehmender Person",
    },
    "capacity_building.burnout_relief": {
        "en": "Reduction of participants' burnout",
        "de": "Minderung der Überlastung (Burnout)",
    },
    # transfer
    "transfer.transfers_per_year": {
        "en": "Maximum transfers per year",
        "de": "Höchstzahl Transfers pro Jahr",
    },
    "transfer.hours_per_transfer": {
        "en": "Staff hours per transfer",
        "de": "Personalstunden je Transfer",
    },
    "transfer.seed_money_eur": {
        "en": "Seed money per copied initiative (EUR)",
        "de": "Startgeld je übertragener Initiative (EUR)",
    },
    # participatory_budget
    "participatory_budget.submission_rate": {
        "en": "Share of citizens 14+ submitting an idea",
        "de": "Anteil ab 14 Jahren, der Ideen einreicht",
    },
    "participatory_budget.finalist_share": {
        "en": "Share of ideas put to the vote",
        "de": "Anteil der Ideen in der Abstimmung",
    },
    "participatory_budget.turnout": {
        "en": "Turnout of citizens 14+ (at average trust)",
        "de": "Beteiligung ab 14 (bei mittlerem Vertrauen)",
    },
    "participatory_budget.votes_per_voter": {
        "en": "Votes per voter",
        "de": "Stimmen pro Person",
    },
    "participatory_budget.project_eur": {
        "en": "Funding per project (EUR)",
        "de": "Fördersumme je Projekt (EUR)",
    },
    "participatory_budget.hours_per_idea": {
        "en": "Staff hours per submitted idea",
        "de": "Personalstunden je eingereichter Idee",
    },
    "participatory_budget.hours_for_vote": {
        "en": "Staff hours to run the vote",
        "de": "Personalstunden für die Abstimmung",
    },
}
