"""Importers of old campus sites, one module per system (see ``base.Importer``)."""

from .base import Importer, Page
from .vsb import VsbImporter

IMPORTERS: list[type[Importer]] = [VsbImporter]


def importer_for(page: Page) -> Importer | None:
    """The importer of the system that made the page, or None."""
    for importer in IMPORTERS:
        if importer.detect(page):
            return importer()
    return None
