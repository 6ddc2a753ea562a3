"""Start the producing initiatives at their equilibrium stock (ODD 3.3).

An approved initiative is active for ``sustain_months`` and then sustained until it ends.
The sustained stage lives for years, longer than the spin-up can run (the spin-up has no
births, deaths, migration or network turnover; run longer, the engaged share drifts away
from the level the full month keeps), so at the spin-up's end the sustained stage would be
empty and the active stage only partly filled.  Instead the spin-up measures the active
stage's flows over its last :data:`WINDOW` months, the model's rates give what the spin-up
cannot show (leaders who die, leave the city or quit), and the two producing stages are
filled to the stock those flows sustain.

Each month an initiative with a leader loses her with probability ``l``: she dies or leaves
the city (the demography's rates at her sex and age), or quits her engagement (the
engagement's quit hazard at her burnout and age); ``l`` is the mean over the leaders of the
initiatives from proposal to sustained at the spin-up's end.  An initiative without a leader
stays without one and ends ``fail_leaderless`` a month more often.  With

* ``A``: initiatives approved a month: the proposals a month (counted over the window, by
  which the proposal stage has filled) times the chance that a proposal reaches the gate
  (:func:`.funnel.gate_chance`, the rules' expectation, averaged over the
  window's months, every third) times the gate's chance of approving a submission in the end
  (``approve / (approve + reject)`` per decision, a delayed one decided again), averaged
  over those waiting at the gate.  Submissions themselves are not counted: a city of
  350,000 submits about a hundred a year, and their count over one year is 13% off the
  mean of many spin-ups (Wuppertal, 8 seeds), the proposals' 6%, the expected share under
  1%;
* ``h``: the ending hazard of a led active initiative: rule 5's hazard without its
  ``fail_leaderless`` term, averaged over the active initiatives and the months measured
  (the rule's expectation, not the few endings a small town shows in a year); with none
  active yet, over those waiting at the gate;
* ``e = sustained_end_rate``, ``f = fail_leaderless``, ``S = sustain_months``,

the stock is that of a two-state chain (led, leaderless) followed month by month from
approval: in its ``a``-th active month an initiative first may lose its leader, then ends
with ``h`` (led) or ``min(h + f, 1)`` (leaderless); after its ``S``-th month (age ``S``) it is
sustained.  Sustained ones lose the leader with ``l`` and end with ``e`` (led) or ``e + f``
(leaderless), so with ``E_L`` and ``E_U`` led and leaderless entries a month

    sustained led ``= E_L / (1 - (1 - l)(1 - e))``,
    sustained leaderless ``= (E_U + (1 - e - f) l x sustained led) / (e + f)``,

and the active stock at age ``a`` is what is left of ``A`` after ``a + 1`` months.  The
initiatives missing from each stage (none are removed) are launched by
:meth:`~kosi_sim.agents.initiatives.Initiatives.launch` as a lab would launch them: the
districts in proportion to their expected ideas, the domains as ideas draw them, a leader
found as instruments find one; their leaders recruit volunteers as in the proposal stage,
their money covers their need, the city is their partner.  Their ages in the stage are
drawn from the stationary age distribution; a leaderless share (as the chain gives it)
loses its leader, who stays engaged.  All draws come from the stream
``initiatives.equilibrium``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...services import SPACE
from .funnel import gate_chance
from .stages import ACTIVE, DROPPED, GATE, PROPOSAL, SUSTAINED

#: months at the end of the spin-up over which the flows are measured
WINDOW = 12
#: the shortest spin-up that fills the stocks: the idea and proposal stages fill in about a
#: year (the proposals a month of the baseline town are still 8% short of their level in
#: months 9-11; mean of 16 seeds), then the window
MIN_SPINUP = 12 + WINDOW
#: the rules' chance of reaching the gate moves slowly (it varies by under 1% between seeds):
#: it is evaluated every third month of the window (a fifth of a second each in Wuppertal)
CHANCE_EVERY = 3
#: rounds of launching in the fill: leaders who cannot gather a team are replaced by others
TRIES = 20


@dataclass
class FlowMeter:
    """The pipeline's flows and the rules' chances, summed over the months it observes
    (after the step)."""

    months: int = 0
    proposed: int = 0
    gate_chance_sum: float = 0.0
    gate_chance_n: int = 0
    at_gate: int = 0
    chance_sum: float = 0.0
    active_months: int = 0
    underfunded_months: int = 0
    hazard_sum: float = 0.0
    gate_hazard_sum: float = 0.0

    def observe(self, model) -> None:
        ini = model.initiatives
        act = np.flatnonzero(ini.stage == ACTIVE)
        gate = np.flatnonzero(ini.stage == GATE)
        if self.months % CHANCE_EVERY == 0:
            self.gate_chance_sum += gate_chance(model)
            self.gate_chance_n += 1
        self.months += 1
        self.proposed += ini.events["proposals"]
        self.at_gate += len(gate)
        self.chance_sum += float(ini.approval_chance(model, gate).sum())
        self.active_months += len(act)
        self.underfunded_months += int((ini.money[act] < ini.money_need[act]).sum())
        self.hazard_sum += float(ini.led_active_hazard(model.pop, act).sum())
        self.gate_hazard_sum += float(ini.led_active_hazard(model.pop, gate).sum())

    def submissions(self) -> float:
        """Submissions a month: the proposals a month counted times the rules' chance that
        a proposal reaches the gate (:func:`~kosi_sim.agents.initiatives.funnel.gate_chance`)."""
        if self.months == 0 or self.gate_chance_n == 0:
            return 0.0
        return self.proposed / self.months * self.gate_chance_sum / self.gate_chance_n

    def approvals(self) -> float:
        """Approvals a month: the submissions a month (:meth:`submissions`) times the chance
        that a submission is approved in the end (the gate's rule, averaged over those
        waiting at the gate); the approvals themselves lag the submissions by the gate's
        lead time."""
        if self.months == 0 or self.at_gate == 0:
            return 0.0
        return self.submissions() * self.chance_sum / self.at_gate

    def underfunded_share(self) -> float:
        """The share of the active initiatives' months with money short of their need."""
        return self.underfunded_months / self.active_months if self.active_months else 0.0

    def led_hazard(self) -> float:
        """The mean monthly ending hazard of a led active initiative (the rule's hazard,
        not the few endings, averaged over the active initiatives and months observed)."""
        if self.active_months:
            return self.hazard_sum / self.active_months
        # none active yet: the hazard those at the gate would have, co-funding not counted
        return self.gate_hazard_sum / self.at_gate if self.at_gate else 0.0


@dataclass(frozen=True)
class Stocks:
    """Equilibrium stocks (counts) of the producing stages."""

    active_led: np.ndarray  # by months in the stage, 0 .. sustain_months - 1
    active_leaderless: np.ndarray
    sustained_led: float
    sustained_leaderless: float
    sustained_survival: float  # monthly survival of a led sustained initiative

    @property
    def active(self) -> float:
        return float(self.active_led.sum() + self.active_leaderless.sum())

    @property
    def sustained(self) -> float:
        return self.sustained_led + self.sustained_leaderless


def equilibrium_stocks(
    approved: float,
    led_hazard: float,
    leader_loss: float,
    sustain_months: int,
    sustained_end_rate: float,
    fail_leaderless: float,
) -> Stocks:
    """The stocks an inflow of ``approved`` initiatives a month sustains (module docstring)."""
    h, f, e, loss = led_hazard, fail_leaderless, sustained_end_rate, leader_loss
    led, free = float(approved), 0.0
    act_led, act_free = [], []
    for age in range(int(sustain_months) + 1):
        lost = led * loss
        led = (led - lost) * (1.0 - h)
        free = (free + lost) * (1.0 - min(h + f, 1.0))
        if age < sustain_months:
            act_led.append(led)
            act_free.append(free)
    survival = (1.0 - loss) * (1.0 - e)
    s_led = led / (1.0 - survival) if survival < 1.0 else 0.0
    s_free = (free + max(1.0 - e - f, 0.0) * loss * s_led) / (e + f) if e + f > 0 else 0.0
    return Stocks(np.array(act_led), np.array(act_free), s_led, s_free, survival)


def leader_loss(model, rows: np.ndarray) -> np.ndarray:
    """The monthly probability that initiative ``rows``' leaders (who must lead them) die,
    leave the city or quit their engagement."""
    pop = model.pop
    leaders = pop.rows_of(model.initiatives.leader[rows])
    leave = model.demography.leave_probability(pop, leaders)
    quit_ = model.engagement.quit_probability(pop, leaders)
    return 1.0 - (1.0 - leave) * (1.0 - quit_)


def fill_to_equilibrium(model, meter: FlowMeter) -> dict[str, int]:
    """Launch the active and sustained initiatives missing from the equilibrium stocks;
    returns how many of each were launched."""
    ini, p = model.initiatives, model.initiatives.p
    leading = np.flatnonzero((ini.stage >= PROPOSAL) & (ini.stage <= SUSTAINED))
    led = leading[ini.led(model.pop, leading)]
    if meter.approvals() <= 0 or len(led) == 0:
        return {"active": 0, "sustained": 0}
    stocks = equilibrium_stocks(
        meter.approvals(),
        meter.led_hazard(),
        float(leader_loss(model, led).mean()),
        int(p.sustain_months),
        p.sustained_end_rate,
        p.fail_leaderless,
    )
    rng = model.streams("initiatives.equilibrium")
    # active: the missing, at the ages where the stock is short of the stationary one
    act = np.flatnonzero(ini.stage == ACTIVE)
    have = np.bincount(
        np.minimum(ini.months_in_stage[act], len(stocks.active_led) - 1),
        minlength=len(stocks.active_led),
    )
    want = stocks.active_led + stocks.active_leaderless
    n_act = max(round(stocks.active) - len(act), 0)
    short = np.maximum(want - have, 0.0)
    age = rng.choice(len(short), size=n_act, p=short / short.sum()) if n_act else np.empty(0, int)
    free = rng.random(n_act) < stocks.active_leaderless[age] / np.maximum(want[age], 1e-12)
    n_act = _launch(model, ACTIVE, age, free, rng, meter)
    # sustained: ages from the stationary (geometric) distribution
    n_sus = max(round(stocks.sustained) - int((ini.stage == SUSTAINED).sum()), 0)
    age = rng.geometric(1.0 - stocks.sustained_survival, n_sus) - 1
    free = rng.random(n_sus) < stocks.sustained_leaderless / max(stocks.sustained, 1e-12)
    n_sus = _launch(model, SUSTAINED, age, free, rng, meter)
    return {"active": n_act, "sustained": n_sus}


def _launch(model, stage: int, age: np.ndarray, leaderless: np.ndarray, rng, meter) -> int:
    """Launch initiatives in ``stage``, one per entry of ``age`` (months in the stage);
    those marked ``leaderless`` lose their leader.  Returns how many were launched.

    As in the pipeline, only initiatives whose leader gathers ``min_volunteers`` within
    ``proposal_lifetime`` rounds are kept (a proposal that cannot is never submitted); the
    others are dropped and tried again with other leaders, at most :data:`TRIES` times.
    Their money covers their need, except for the share of the active initiatives the
    window saw short of money (:meth:`FlowMeter.underfunded_share`), who have a uniform
    share of it.
    """
    ini, pop, p = model.initiatives, model.pop, model.initiatives.p
    weights = ini.expected_ideas(model)
    if len(age) == 0 or weights.sum() <= 0:
        return 0
    kept: list[np.ndarray] = []
    missing = len(age)
    for _ in range(TRIES):
        order = rng.choice(len(weights), size=missing, p=weights / weights.sum())
        district = np.sort(order).astype(np.int16)
        domain = ini.draw_domains(model.services.gap(), district, rng)
        leaders = ini.find_leaders(model, district, rng)
        ok = leaders >= 0
        if not ok.any():
            break
        started = ini.events["started"]
        rows = ini.launch(
            model, district[ok], domain[ok], leaders[ok], ACTIVE, 0, admin_partner=True
        )
        ini.events["started"] = started  # already running: not started this month
        ini.staff(model, rows, rng, int(p.proposal_lifetime))
        short = ini.volunteers[rows] < p.min_volunteers
        dropped = ini.events["dropped"]
        ini.finish(model, rows[short], DROPPED, None)  # never staffed: never submitted
        ini.events["dropped"] = dropped
        kept.append(rows[~short])
        missing -= len(kept[-1])
        if missing == 0:
            break
    rows = np.concatenate(kept) if kept else np.empty(0, np.int64)
    n = len(rows)
    age, leaderless = age[:n], leaderless[:n]
    short_of_money = rng.random(n) < meter.underfunded_share()
    share = np.where(short_of_money, rng.random(n), 1.0)
    ini.money[rows] = (share * ini.money_need[rows]).astype(np.float32)
    ini.needs_space[rows] = (ini.domain[rows] == SPACE) | (rng.random(n) < p.space_share)
    ini.has_space[rows] = ini.needs_space[rows]
    ini.stage[rows] = stage
    ini.months_in_stage[rows] = np.minimum(age, np.iinfo(ini.months_in_stage.dtype).max)
    gone = pop.rows_of(ini.leader[rows[leaderless]])  # she leaves it, not her engagement
    pop.initiative[gone] = -1
    pop.leads[gone] = False
    ini.volunteers[rows[leaderless]] -= 1
    return n
