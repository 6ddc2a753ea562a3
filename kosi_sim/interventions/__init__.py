"""Municipal labs of social innovation: the KoSI-Lab toolbox as plug-in interventions."""

from .base import Intervention, InterventionSpec
from .presets import PRESETS
from .registry import REGISTRY

__all__ = ["PRESETS", "REGISTRY", "Intervention", "InterventionSpec"]
