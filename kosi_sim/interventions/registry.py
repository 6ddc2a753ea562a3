"""The explicit registry of lab instruments, by name."""

from __future__ import annotations

from .admin_fast_track import AdminFastTrack
from .base import Intervention
from .capacity_building import CapacityBuilding
from .contact_point import ContactPoint
from .ideas_call import IdeasCall
from .matching import Matching
from .participatory_budget import ParticipatoryBudget
from .round_tables import RoundTables
from .small_grants import SmallGrants
from .space_provision import SpaceProvision
from .transfer import Transfer

REGISTRY: dict[str, type[Intervention]] = {
    cls.type: cls
    for cls in (
        ContactPoint,
        Matching,
        IdeasCall,
        SmallGrants,
        AdminFastTrack,
        SpaceProvision,
        RoundTables,
        CapacityBuilding,
        Transfer,
        ParticipatoryBudget,
    )
}
