"""Importing events from other files: CSV, XLSX and ODS, TimelineJS's sheet, ACLED's export, or
any CSV with ``--map``. ``readers`` reads cells, ``mapping`` (with ``timelinejs`` and ``acled``)
maps them to the contract's columns, ``checks`` and ``ids`` check rows as ``tracker add`` does
and ``run.import_file`` writes the good ones through the one writer story."""

from .mapping import MappingError, Options
from .run import FORMATS, ImportRefused, ImportReport, import_file

__all__ = ["FORMATS", "ImportRefused", "ImportReport", "MappingError", "Options", "import_file"]
