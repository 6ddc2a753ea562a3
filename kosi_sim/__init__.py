"""kosi-sim: co-production of local services under demographic change, and what municipal
labs of social innovation change about it."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kosi-sim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

__all__ = ["CityModel", "__version__"]


def __getattr__(name: str):
    if name == "CityModel":
        from .model import CityModel

        return CityModel
    raise AttributeError(name)
