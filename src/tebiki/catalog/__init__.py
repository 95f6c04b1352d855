"""The guideline catalog as validated data. Import from here; never read the YAML yourself."""

from .loader import Catalog, CatalogError, get_catalog, load_catalog, load_export

__all__ = ["Catalog", "CatalogError", "get_catalog", "load_catalog", "load_export"]
