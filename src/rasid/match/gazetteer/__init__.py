"""A gazetteer of places with Arabic and Latin names, for watch-lists that name regions."""

from rasid.match.gazetteer.places import Gazetteer, Place

__all__ = ["Gazetteer", "Place"]
