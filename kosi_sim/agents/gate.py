"""The administration's approval gate (M3, ODD 7.7): its decisions on submitted proposals.

The gate belongs to the administration: it reads the administration's parameters
(``model.administration.p``) and its staff capacity, and acts on the proposals that
initiatives submitted.

A submitted proposal waits a lead time drawn from a Gamma distribution with shape
:data:`LEAD_TIME_SHAPE` and mean ``approval_lead_time`` times the district's lead-time
lever; each month its clock advances, and when the time is up it is due.  The staff decide
at most their capacity (:meth:`Administration.gate_capacity`) of the due proposals a month,
those that waited longest first.  A decided proposal is

* rejected with ``clip(rejection_base * risk_aversion * rejection lever * 2 * risk, 0, 1)``
  (``risk`` is the proposal's novelty in [0, 1], 0.5 on average: the factor 2 makes a
  proposal of average risk under full risk aversion be rejected with ``rejection_base``);
* postponed with ``delay_share * (1 - openness)``: a new lead time, its waiting time kept;
* otherwise approved: the city co-funds ``cofunding_share`` of the money need while its
  fund lasts, becomes a partner, and the initiative starts producing.

Approval is a good experience for the members (of strength :data:`APPROVAL_STRENGTH`),
rejection a bad one.
"""

from __future__ import annotations

import numpy as np

from .initiatives.stages import ACTIVE, GATE, REJECTED

#: shape of the Gamma distribution of lead times (assumption: a mode at half the mean)
LEAD_TIME_SHAPE = 2.0
#: strength of the good experience of an approval for the members (M7; assumption)
APPROVAL_STRENGTH = 0.5


def _lead_times(model, district: np.ndarray, rng) -> np.ndarray:
    """A lead time (months) for a proposal of each of ``district``."""
    mean = model.administration.p.approval_lead_time * model.levers.lead_time[district]
    return rng.gamma(LEAD_TIME_SHAPE, mean / LEAD_TIME_SHAPE, len(district))


def submit(ini, model, rows: np.ndarray, rng) -> None:
    """Proposals ``rows`` are submitted: they wait a lead time at the gate."""
    ini.set_stage(rows, GATE)
    ini.wait_left[rows] = _lead_times(model, ini.district[rows], rng)
    ini.waited[rows] = 0
    ini.events["submitted"] += len(rows)


def decide(ini, model, rng) -> None:
    """One month of the gate: clocks advance, and the staff decide the due proposals."""
    a = model.administration
    gate = np.flatnonzero(ini.stage == GATE)
    if len(gate) == 0:
        return
    ini.waited[gate] += 1
    ini.wait_left[gate] -= 1.0
    due = gate[ini.wait_left[gate] <= 0]
    if len(due) == 0:
        return
    # oldest first, at most the staff's capacity
    due = due[np.argsort(-ini.waited[due], kind="stable")][: a.gate_capacity()]
    a.decided(len(due))
    if len(due) == 0:
        return
    u = rng.random(len(due))
    p_reject, p_delay = odds(ini, model, due)
    rejected = due[u < p_reject]
    delayed = due[(u >= p_reject) & (u < p_reject + p_delay)]
    approved = due[u >= p_reject + p_delay]
    ini.events["delayed"] += len(delayed)
    ini.wait_left[delayed] = _lead_times(model, ini.district[delayed], rng)
    ini.lead_times.extend(ini.waited[approved].tolist())
    ini.lead_times.extend(ini.waited[rejected].tolist())
    ini.events["approved"] += len(approved)
    ini.decided = {"approved": approved, "rejected": rejected}
    ini.finish(model, rejected, REJECTED, good=False)
    ini.events["rejected"] += len(rejected)
    if len(approved):
        grant = a.cofund(ini.money_need[approved])
        ini.money[approved] += grant.astype(np.float32)
        ini.admin_partner[approved] = True
        ini.set_stage(approved, ACTIVE)
        ini.events["started"] += len(approved)
        model.engagement.experience(
            pop=model.pop,
            rows=ini.participants(model.pop, approved),
            good=True,
            strength=APPROVAL_STRENGTH,
        )


def odds(ini, model, rows: np.ndarray) -> tuple[np.ndarray, float]:
    """The chances that a decision on each of ``rows`` rejects or delays it (M3)."""
    ap = model.administration.p
    p_reject = np.clip(
        ap.rejection_base
        * ap.risk_aversion
        * model.levers.rejection[ini.district[rows]]
        * 2.0
        * ini.risk[rows],
        0.0,
        1.0,
    )
    return p_reject, ap.delay_share * (1.0 - ap.openness)


def approval_chance(ini, model, rows: np.ndarray) -> np.ndarray:
    """The chance that each of ``rows``, submitted, is approved in the end (a delayed one
    is decided again): approve / (approve + reject) per decision."""
    p_reject, p_delay = odds(ini, model, rows)
    approve = np.maximum(1.0 - p_reject - p_delay, 0.0)
    return approve / np.maximum(approve + p_reject, 1e-12)
