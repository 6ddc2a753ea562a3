"""``CityModel``: the city as a Mesa model.  One step is one month.

The step order is written down once, in :meth:`CityModel.step`.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import mesa
import numpy as np

from . import memory, network
from .agents import equilibrium
from .agents.administration import Administration
from .agents.associations import Associations
from .agents.businesses import Businesses
from .agents.initiatives import Initiatives
from .catalog import CATALOG
from .census import Census
from .demography import Demography, LifeTableTracker, Requests, reweighted_ages
from .districts import Premises
from .engagement import Engagement, draw_traits
from .housing import Housing
from .interventions.registry import REGISTRY
from .levers import Levers
from .metrics import CITY_METRICS, MetricRecorder
from .population import Population
from .rng import Streams
from .scenario import Scenario, load_builtin
from .services import Services

#: compact the population arrays when a tenth of the rows are dead: fewer dead rows in every
#: pass and the rows regrouped by district more often, against the cost of compacting
#: (measured against other shares in docs/performance.md)
COMPACT_DEAD_SHARE = 0.1


class CityModel(mesa.Model):
    """Co-production of local services in a city under demographic change.

    Args:
        scenario: a :class:`~kosi_sim.scenario.Scenario`, the name of a built-in scenario
            or a path to a scenario file; default the built-in ``baseline``.
        rng: the seed (an int, ``0`` included); default the scenario's seed.
        **params: parameter overrides by name (``civic_engagement=1.2``).
    """

    def __init__(
        self,
        scenario: Scenario | str | None = None,
        *,
        rng: int | str | None = None,
        **params: Any,
    ) -> None:
        memory.keep_freed_memory()  # large temporaries reuse the heap (see kosi_sim.memory)
        if scenario is None or isinstance(scenario, str):
            scenario = load_builtin(scenario or "baseline")
        if params:
            scenario = scenario.with_params(params)
        seed = scenario.seed if rng is None or rng == "" else int(rng)
        super().__init__(rng=seed)
        self.spec = scenario
        self.params = scenario.params
        self.seed = seed
        self.streams = Streams(seed)
        self.month = 0
        self.district_names = [d.name for d in scenario.districts]
        self.n_districts = len(scenario.districts)
        self.scale = scenario.scale
        p = self.params

        self.demography = Demography(p)
        self.engagement = Engagement(p)
        self.pop = Population(
            self.n_districts,
            int(p.contacts_per_citizen),
            capacity=int(sum(d.population for d in scenario.districts) * self.scale * 1.3),
        )
        self.housing = Housing(p, scenario.districts)
        self.premises = Premises(self.n_districts)
        self.associations = Associations(p)
        self.businesses = Businesses(p, self.n_districts)
        self.initiatives = Initiatives(p, self.n_districts)
        self.administration = Administration(self, p, scenario.place)
        self.services = Services(p, np.array([d.remoteness for d in scenario.districts]))
        self.intervention_log: list[tuple[int, str, str, dict[str, float]]] = []
        self.phase_seconds: dict[str, float] = {}  # wall time per step phase, summed
        self._tick = 0.0
        self.levers = Levers(self.n_districts)
        self.flows = _zero_flows(self.n_districts)
        self.requests = Requests()
        self.life_table: LifeTableTracker | None = None  # switched on by calibration

        self._build_population()
        self._build_organisations()
        self._spin_up(int(p.spinup_months))
        self.interventions = [REGISTRY[s.type](s, self) for s in scenario.intervention_specs]
        self._init_services()
        self.services.coverage0 = self.services.mean_coverage()

        self.recorder = MetricRecorder(self)
        self.datacollector = mesa.DataCollector(
            model_reporters={m.name: partial(_city_value, name=m.name) for m in CITY_METRICS}
        )
        self.recorder.record(self)
        self.datacollector.collect(self)

    # -- initialisation ----------------------------------------------------------------
    def _build_population(self) -> None:
        rng = self.streams("init.population")
        p, pop = self.params, self.pop
        for d, spec in enumerate(self.spec.districts):
            n = max(1, round(spec.population * self.scale))
            weights = reweighted_ages(spec.share_under18, spec.share_65plus)
            years = rng.choice(len(weights), size=n, p=weights)
            age_m = (years * 12 + rng.integers(0, 12, n)).astype(np.int16)
            sex = (rng.random(n) < 0.5).astype(np.int8)
            pop.add(n, age_m=age_m, sex=sex, district=d, **draw_traits(n, p, rng))
        index = network.DistrictIndex(pop.district, pop.age_m, pop.alive, self.n_districts)
        pop.contacts[:] = network.draw_contacts(
            np.arange(pop.n),
            pop.k,
            pop.uid,
            pop.district,
            index,
            p.contact_locality,
            p.contact_age_homophily,
            self.streams.key("init.network"),
        )
        self.engagement.update_life_stage(pop)
        self.census = Census(pop, p.willing_cutoff)
        self.housing.init(self.census, self.pop)

    def _build_organisations(self) -> None:
        rng = self.streams("init.organisations")
        p, pop = self.params, self.pop
        per_d = pop.per_district()
        n_bus = np.maximum(0, np.round(p.businesses_per_1000 * per_d / 1000)).astype(int)
        self.businesses.create(
            self, np.repeat(np.arange(self.n_districts), n_bus).astype(np.int16), rng
        )
        self.premises.init(self.businesses.per_district(), p.initial_premises_vacancy)
        n_ass = rng.poisson(p.associations_per_1000 * per_d / 1000)
        self.associations.create(
            self, np.repeat(np.arange(self.n_districts), n_ass).astype(np.int16), rng
        )
        self.engagement.initial_engagement(self, np.arange(pop.n), rng)
        self.engagement.effort(self)
        self.associations.refresh_counts(pop)
        # every Verein with members starts with a leader
        a = self.associations
        members = np.flatnonzero(pop.association >= 0)
        members = members[rng.permutation(len(members))]
        assoc, first = np.unique(pop.association[members], return_index=True)
        a.leader[assoc] = pop.uid[members[first]]
        pop.leads[members[first]] = True
        self.census = Census(pop, p.willing_cutoff)

    def _spin_up(self, months: int) -> None:
        """Let engagement, Vereine and initiatives settle before month 0 (no demography);
        at its end the producing initiatives are filled to the stock their measured flows
        and the model's leader-loss rates sustain (ODD 3.3)."""
        self._init_services()
        meter = equilibrium.FlowMeter()
        for month in range(months):
            self.initiatives.new_month()
            self.engagement.step(self)
            self.associations.step(self)
            self.associations.pending_dissolution = np.empty(0, dtype=np.int64)
            self.associations.pending_foundings = []
            self.initiatives.step(self)
            self.services.update(self, self.administration.admin_hours)
            if months >= equilibrium.MIN_SPINUP and month >= months - equilibrium.WINDOW:
                meter.observe(self)  # only for a fill
        if months >= equilibrium.MIN_SPINUP:
            equilibrium.fill_to_equilibrium(self, meter)
            self.services.update(self, self.administration.admin_hours)
        self.census = Census(self.pop, self.params.willing_cutoff)

    def _init_services(self) -> None:
        """The budget and service level of the first month."""
        self.administration.init(self.pop.n_alive, self.businesses.count())
        self.services.update(self, self.administration.admin_hours)

    # -- the month ---------------------------------------------------------------------
    def step(self) -> None:
        """One month, in this order (the reasons in brackets):

        1. new year (every 12th month): life stages and time budgets, contact network,
           housing stock, co-funding budget [slow processes, once a year];
        2. demography requests births, deaths, migration and moves [requests only];
        3. levers reset; interventions act [they set this month's levers and act on the
           tables before anyone decides];
        4. engagement: willingness, joining, effort, burnout, quitting;
        5. associations: counts, leaders, funds, dissolution and founding requests;
        6. businesses: closure and opening requests;
        7. initiatives: ideas, proposals, gate, active, outcomes and feedback;
        8. services: demand, supply, coverage; trust drifts with coverage; interventions
           record what they did this month;
        9. the administration closes its books and sets next month's budget;
        10. structural changes applied together: deaths, emigration, births, immigration,
            moves, Verein and business closures and openings [one place, deferred];
        11. metrics recorded.
        """
        self.month += 1
        self._tick = time.perf_counter()
        t = self._clock
        if self.month % 12 == 0:
            self._new_year()
        t("new_year")
        self.requests = self.demography.request(self)
        t("demography")
        self.levers.reset()
        self.initiatives.new_month()
        for intervention in self.interventions:
            intervention.step(self)
        t("interventions")
        self.engagement.step(self)
        t("engagement")
        self.associations.step(self)
        t("associations")
        self.businesses.step(self)
        t("businesses")
        self.initiatives.step(self)
        t("initiatives")
        self.services.update(self, self.administration.admin_hours)
        self.engagement.trust_drift(
            self.pop, self.services.mean_coverage() - self.services.coverage0
        )
        for intervention in self.interventions:
            intervention.report(self)
        t("services")
        self.administration.lab_spending = sum(i.spent_this_step for i in self.interventions)
        self.administration.account(self.pop.n_alive, self.businesses.count())
        t("administration")
        self._apply_structural_changes()
        t("structural_changes")
        self.recorder.record(self)
        self.datacollector.collect(self)
        t("metrics")

    def _clock(self, phase: str) -> None:
        """Add the time since the last call to ``phase`` (wall time per step phase)."""
        now = time.perf_counter()
        self.phase_seconds[phase] = self.phase_seconds.get(phase, 0.0) + now - self._tick
        self._tick = now

    def _new_year(self) -> None:
        p, pop = self.params, self.pop
        self.engagement.update_life_stage(pop)
        network.update_contacts(
            pop.contacts,
            pop.uid,
            pop.alive,
            pop.district,
            pop.age_m,
            self.n_districts,
            p.contact_turnover,
            p.contact_locality,
            p.contact_age_homophily,
            self.streams.key("network.update"),
        )
        self.housing.adjust_stock()
        self.administration.new_year(pop.n_alive)

    def _apply_structural_changes(self) -> None:
        from .structural import apply_requests

        self.flows = apply_requests(self, self.requests)
        self.associations.apply(self)
        self.businesses.apply(self)
        self.premises.by_businesses = self.businesses.per_district().astype(float)
        self.premises.by_initiatives = self.initiatives.premises_in_use().astype(float)
        self.census = Census(self.pop, self.params.willing_cutoff)
        self.housing.update_households(self.census)
        if self.pop.dead_rows > COMPACT_DEAD_SHARE * self.pop.n:
            self.pop.compact()
            p = self.params
            network.update_contacts(
                self.pop.contacts,
                self.pop.uid,
                self.pop.alive,
                self.pop.district,
                self.pop.age_m,
                self.n_districts,
                0.0,
                p.contact_locality,
                p.contact_age_homophily,
                self.streams.key("network.compact"),
                ties_to_living=True,  # compaction turned every tie to a removed row into -1
            )

    # -- decisions during a run (the classroom's yearly turns) ---------------------------
    def set_params(self, changes: dict[str, Any]) -> None:
        """Change parameters from the next month on (checked as in a scenario file; a
        ``ValueError`` names a bad key or value and nothing changes).

        Every component reads its parameters from the one :class:`Params` handed to it, so
        the new set is handed to all of them.  Only parameters read while the model runs
        change anything; those read once at the start (initial densities, shares of Vereine
        by domain, the spin-up) do not act retroactively."""
        new = self.params.replace(CATALOG, **changes)
        self.install_params(new)

    def install_params(self, params) -> None:
        """Hand ``params`` (a complete :class:`Params`) to the model and its components."""
        self.params = params
        for part in (
            self.demography,
            self.engagement,
            self.housing,
            self.associations,
            self.businesses,
            self.initiatives,
            self.administration,
            self.services,
        ):
            part.p = params

    def add_intervention(self, spec) -> None:
        """Add a lab instrument (an :class:`InterventionSpec`) that starts in a later month:
        a decision taken during the run.  It draws from its own stream, named by its label,
        so adding it shifts nobody else's draws."""
        if spec.start <= self.month:
            raise ValueError(f"{spec.label}: starts in month {spec.start}, already past")
        if spec.label in {i.label for i in self.interventions}:
            raise ValueError(f"an intervention labelled {spec.label!r} exists already")
        self.interventions.append(REGISTRY[spec.type](spec, self))

    # -- running and results -----------------------------------------------------------
    def run(self, months: int, progress=None) -> None:
        for _ in range(months):
            self.step()
            if progress is not None:
                progress()

    def interventions_frame(self):
        """What every intervention did each month: month, intervention, type, metric, value."""
        import pandas as pd

        rows = [
            (month, label, kind, metric, value)
            for month, label, kind, counts in self.intervention_log
            for metric, value in counts.items()
        ]
        df = pd.DataFrame(rows, columns=["month", "intervention", "type", "metric", "value"])
        df["month"] = df["month"].astype("int32")
        df["value"] = df["value"].astype("float64")
        return df

    def metrics_frame(self):
        """All recorded metrics as a tidy long table."""
        return self.recorder.frame(self)

    def inspect_citizen(self, uid: int) -> dict[str, Any]:
        return self.pop.inspect(uid)


def _city_value(model: CityModel, name: str) -> float:
    return model.recorder.latest(name)


def _zero_flows(n: int) -> dict[str, np.ndarray]:
    keys = ("births", "deaths", "in_migration", "out_migration", "moves_in", "moves_out")
    return {k: np.zeros(n) for k in keys}


__all__ = ["CATALOG", "CityModel"]
