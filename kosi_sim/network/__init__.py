"""The citizens' contact network (ODD 7.3): a fixed number of contacts per citizen, mostly
local and near one's own age; ties to the dead and a share of the others are redrawn
yearly.

* :mod:`.params`: the parameters;
* :mod:`.rules`: the rules in plain numpy; :mod:`.kernels`: their compiled fast path;
* :mod:`.component`: the initial ties and the yearly renewal on either, and
  :class:`Network`, the model's component that applies them.
"""

from .component import Network, district_index, draw_contacts, update_contacts
from .params import SECTION
from .rules import DistrictIndex

__all__ = [
    "SECTION",
    "DistrictIndex",
    "Network",
    "district_index",
    "draw_contacts",
    "update_contacts",
]
