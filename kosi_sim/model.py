"""``CityModel``: the city as a Mesa model.  One step is one month.

The step order is written down once, in :data:`kosi_sim.phases.PHASES` (the reasons in
:meth:`CityModel.step`); the spin-up runs the spin-up form of the same phases.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import mesa
import numpy as np

from . import memory, ruleset
from .agents.administration import Administration
from .agents.associations import Associations
from .agents.businesses import Businesses
from .agents.initiatives import Initiatives
from .agents.initiatives import start as settled_start
from .catalog import CATALOG
from .census import Census
from .demography import Demography, LifeTableTracker, Requests, reweighted_ages
from .districts import Premises
from .engagement import Engagement
from .housing import Housing
from .interventions.registry import REGISTRY
from .levers import Levers
from .metrics import CITY_METRICS, INDEX, MetricRecorder
from .network import Network
from .phases import PHASES, SPINUP
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
        rules: which implementation of the behavioural rules runs: ``"kernels"`` (the
            compiled fast path) or ``"numpy"`` (the plain rules, the same results); default
            the environment variable ``KOSI_RULES``, else ``"kernels"``
            (:mod:`kosi_sim.ruleset`).  Read once, here, and kept as ``self.rules``.
        **params: parameter overrides by name (``civic_engagement=1.2``).
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> CityModel:
        # before the new model exists, so that it is not among the objects frozen at the
        # process's first build (kosi_sim.memory)
        memory.free_finished_models()
        return super().__new__(cls)

    def __init__(
        self,
        scenario: Scenario | str | None = None,
        *,
        rng: int | str | None = None,
        rules: str | None = None,
        **params: Any,
    ) -> None:
        memory.keep_freed_memory()  # large temporaries reuse the heap (see kosi_sim.memory)
        if scenario is None or isinstance(scenario, str):
            scenario = load_builtin(scenario or "baseline")
        if params:
            scenario = scenario.with_params(params)
        seed = scenario.seed if rng is None or rng == "" else int(rng)
        super().__init__(rng=seed)
        self.rules = ruleset.choose(rules)
        self.spec = scenario
        self.params = scenario.params
        self.seed = seed
        self.streams = Streams(seed)
        self.month = 0
        self.district_names = [d.name for d in scenario.districts]
        self.n_districts = len(scenario.districts)
        self.scale = scenario.scale
        p = self.params

        self.demography = Demography(p, self.rules)
        self.engagement = Engagement(p, self.rules)
        self.network = Network(p, self.rules)
        self.pop = Population(
            self.n_districts,
            self.network.slots,
            capacity=int(sum(d.population for d in scenario.districts) * self.scale * 1.3),
        )
        self.housing = Housing(p, scenario.districts)
        self.premises = Premises(self.n_districts)
        self.associations = Associations(p, rules=self.rules)
        self.businesses = Businesses(p, self.n_districts, rules=self.rules)
        self.initiatives = Initiatives(p, self.n_districts, rules=self.rules)
        self.administration = Administration(self, p, scenario.place)
        self.services = Services(p, np.array([d.remoteness for d in scenario.districts]))
        self.intervention_log: list[tuple[int, str, str, dict[str, float]]] = []
        self.phase_seconds: dict[str, float] = {}  # wall time per step phase, summed
        self.levers = Levers(self.n_districts)
        self.flows = _zero_flows(self.n_districts)
        self.requests = Requests()
        self.life_table: LifeTableTracker | None = None  # switched on by calibration

        self.interventions: list = []  # created after the spin-up (ODD 3.3)

        self._build_population()
        self._build_organisations()
        self._spin_up(int(p.spinup_months))
        self.interventions = [REGISTRY[s.type](s, self) for s in scenario.intervention_specs]
        self._init_services()
        self.services.coverage0 = self.services.mean_coverage()

        self.recorder = MetricRecorder(self)
        self.datacollector = CitySeries(self)
        self._record()

    # -- initialisation ----------------------------------------------------------------
    def _build_population(self) -> None:
        rng = self.streams("init.population")
        pop = self.pop
        for d, spec in enumerate(self.spec.districts):
            n = max(1, round(spec.population * self.scale))
            weights = reweighted_ages(spec.share_under18, spec.share_65plus)
            years = rng.choice(len(weights), size=n, p=weights)
            age_m = (years * 12 + rng.integers(0, 12, n)).astype(np.int16)
            sex = (rng.random(n) < 0.5).astype(np.int8)
            traits = self.engagement.draw_traits(n, rng)
            pop.add(n, age_m=age_m, sex=sex, district=d, **traits)
        pop.contacts[:] = self.network.initial_ties(
            pop, self.n_districts, self.streams.key("init.network")
        )
        self.engagement.update_life_stage(pop)
        # The census is taken twice before month 0: here, for the households and the
        # services' demand during the spin-up (both read only ages and districts, which the
        # spin-up leaves unchanged), and after the spin-up, with the settled engagement that
        # month 0's metrics count.
        self.census = Census(pop, self.engagement.willing_cutoff)
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

    def _spin_up(self, months: int) -> None:
        """Let engagement, Vereine and initiatives settle before month 0: each month runs
        the spin-up form of the step's phases (:data:`kosi_sim.phases.SPINUP`: no
        demography, no structural change); at its end the producing initiatives are filled
        to the stock their measured flows and the model's leader-loss rates sustain, and the
        census is taken (ODD 3.3)."""
        self._init_services()
        meter = settled_start.FlowMeter()
        for month in range(months):
            for phase in SPINUP:
                phase(self)
            if months >= settled_start.MIN_SPINUP and month >= months - settled_start.WINDOW:
                meter.observe(self)  # only for a fill
        if months >= settled_start.MIN_SPINUP:
            settled_start.fill_to_equilibrium(self, meter)
            self.services.update(self, self.administration.admin_hours)
        self.census = Census(self.pop, self.engagement.willing_cutoff)

    def _init_services(self) -> None:
        """The budget and service level of the first month."""
        self.administration.init(self.pop.n_alive, self.businesses.count())
        self.services.update(self, self.administration.admin_hours)

    # -- the month ---------------------------------------------------------------------
    def step(self) -> None:
        """One month: the phases of :data:`kosi_sim.phases.PHASES` in this order (the
        reasons in brackets; * marks the phases whose spin-up form runs in each spin-up
        month, ODD 3.3):

        1. ``new_year`` (every 12th month): life stages and time budgets, contact network,
           housing stock, co-funding budget [slow processes, once a year];
        2. ``demography`` requests births, deaths, migration and moves [requests only];
        3. ``interventions``*: levers reset, the initiatives' monthly counters reset;
           interventions act [they set this month's levers and act on the tables before
           anyone decides; in the spin-up only the counters, as no instrument exists yet];
        4. ``engagement``*: willingness, joining, effort, burnout, quitting;
        5. ``associations``*: counts, leaders, funds, dissolution and founding requests
           [requests dropped in the spin-up];
        6. ``businesses``: closure and opening requests;
        7. ``initiatives``*: ideas, proposals, gate, active, outcomes and feedback;
        8. ``services``*: demand, supply, coverage; trust drifts with the change in mean
           coverage since month 0; interventions record what they did this month [the
           spin-up computes coverage only];
        9. ``administration`` closes its books and sets next month's budget;
        10. ``structural_changes``, applied together [one place, deferred]: everyone alive
            becomes a month older and those turning 14 are enlisted (their initial
            engagement is drawn); deaths, emigration, moves, births, immigration; Verein
            and business closures and openings; premises recounted, the census taken,
            households recounted; the population table compacted when a tenth of its rows
            are dead (ODD 3.2);
        11. ``metrics`` recorded.
        """
        self.month += 1
        clock = time.perf_counter
        for phase in PHASES:
            start = clock()
            phase.run(self)
            spent = clock() - start
            self.phase_seconds[phase.name] = self.phase_seconds.get(phase.name, 0.0) + spent

    def _new_year(self) -> None:
        pop = self.pop
        self.engagement.update_life_stage(pop)
        self.network.renew(pop, self.n_districts, self.streams.key("network.update"))
        self.housing.adjust_stock()
        self.administration.new_year(pop.n_alive)

    def _record(self) -> None:
        """Record the month's metrics (Mesa's ``datacollector`` reads them from here)."""
        self.recorder.record(self)
        self.datacollector.collect(self)

    def _apply_structural_changes(self) -> None:
        from .structural import apply_requests

        self.flows = apply_requests(self, self.requests)
        self.associations.apply(self)
        self.businesses.apply(self)
        self.premises.by_businesses = self.businesses.per_district().astype(float)
        self.premises.by_initiatives = self.initiatives.premises_in_use().astype(float)
        self.census = Census(self.pop, self.engagement.willing_cutoff)
        self.housing.update_households(self.census)
        if self.pop.dead_rows > COMPACT_DEAD_SHARE * self.pop.n:
            self.pop.compact()
            # compaction turned every tie to a removed row into -1: only those are redrawn
            self.network.repair(self.pop, self.n_districts, self.streams.key("network.compact"))

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
            self.network,
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

    # -- the organisations as Mesa Agents ---------------------------------------------
    # A table makes its rows' Agents when somebody first looks (kosi_sim.agents.table):
    # Mesa's views of the agents look at every table first.
    def _make_due_agents(self) -> None:
        for table in (self.associations, self.businesses, self.initiatives):
            table.agents  # noqa: B018 - the property makes the due Agents

    @property
    def agents(self):
        self._make_due_agents()
        return super().agents

    @property
    def agent_types(self) -> list[type]:
        self._make_due_agents()
        return super().agent_types

    @property
    def agents_by_type(self):
        self._make_due_agents()
        return super().agents_by_type

    def remove_all_agents(self) -> None:
        self._make_due_agents()
        super().remove_all_agents()

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


class CitySeries(mesa.DataCollector):
    """Mesa's DataCollector of the city metrics (``get_model_vars_dataframe()``: one
    column per metric, one row per recorded month), read from the model's recorder, which
    keeps every month's metrics anyway, instead of copying each value into a second store
    every month.  ``collect`` only notes the model's time (Mesa's ``batch_run`` looks rows
    up by it): the model has recorded the month's values itself."""

    def __init__(self, model: CityModel) -> None:
        self._model = model
        super().__init__(
            model_reporters={m.name: partial(_city_value, name=m.name) for m in CITY_METRICS}
        )

    @property
    def model_vars(self) -> dict[str, list[float]]:
        history = self._model.recorder.history
        return {m.name: [float(h[INDEX[m.name], -1]) for h in history] for m in CITY_METRICS}

    @model_vars.setter
    def model_vars(self, _value) -> None:
        """Mesa's constructor sets up empty lists; the values come from the recorder."""

    def collect(self, model) -> None:
        self._collection_steps.append(model.time)


def _zero_flows(n: int) -> dict[str, np.ndarray]:
    keys = ("births", "deaths", "in_migration", "out_migration", "moves_in", "moves_out")
    return {k: np.zeros(n) for k in keys}


__all__ = ["CATALOG", "CityModel"]
