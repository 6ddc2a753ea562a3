"""Co-production initiatives (ODD 7.8): idea -> proposal -> the administration's gate ->
active -> sustained, or dropped, rejected, failed, ended.

One module per part of the life cycle:

* :mod:`.stages`: the stage codes;
* :mod:`.params`: the declared parameters (section ``initiatives``);
* :mod:`.ideas`: new ideas and what every new initiative draws (rule 1);
* :mod:`.leaders`: who can lead, and finding leaders (M10);
* :mod:`.proposals`: ideas to proposals, money, partners and rooms (rules 2 and 3);
* :mod:`.recruitment`: leaders recruit volunteers among their contacts;
* the gate: :mod:`kosi_sim.agents.gate`, the administration's decision (rule 4, ODD 7.7);
* :mod:`.production`: supply, failure hazards, sustaining and feedback (rules 5 and 6);
* :mod:`.members`: who belongs to which initiative (the tracked member rows);
* :mod:`.rules`: the rules that read the citizens' arrays (who has ideas, who leads, the
  members' tallies) in plain numpy, with their compiled fast path in :mod:`.kernels`;
* :mod:`.table`: the :class:`Initiatives` table, its step, and the public doors through
  which instruments act (``launch``, ``enrol``, ``fund``, ``grant_space``,
  ``leave_premises``, ``hasten``, ``staff``).
"""

from .members import _rows_in_initiatives, initiative_hours, insert_sorted
from .params import SECTION, SHARED
from .stages import (
    ACTIVE,
    DROPPED,
    ENDED,
    FAILED,
    GATE,
    IDEA,
    LED,
    OPEN_STAGES,
    PRODUCING,
    PROPOSAL,
    REJECTED,
    STAGES,
    SUSTAINED,
    in_stages,
    is_open,
)
from .table import Initiative, Initiatives

__all__ = [
    "ACTIVE",
    "DROPPED",
    "ENDED",
    "FAILED",
    "GATE",
    "IDEA",
    "LED",
    "OPEN_STAGES",
    "PRODUCING",
    "PROPOSAL",
    "REJECTED",
    "SECTION",
    "SHARED",
    "STAGES",
    "SUSTAINED",
    "Initiative",
    "Initiatives",
    "_rows_in_initiatives",
    "in_stages",
    "initiative_hours",
    "insert_sorted",
    "is_open",
]
