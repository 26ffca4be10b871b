"""Importers of old campus sites, one module per system (see ``base.Importer``)."""

from .base import Importer, Page
from .vsb import VsbImporter
from .webplus import WebPlusImporter

# WebPlus first: its pages can carry markers VSB's detection also accepts.
IMPORTERS: list[type[Importer]] = [WebPlusImporter, VsbImporter]


def importer_for(page: Page) -> Importer | None:
    """The importer of the system that made the page, or None."""
    for importer in IMPORTERS:
        if importer.detect(page):
            return importer()
    return None
