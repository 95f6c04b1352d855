"""Documents and exchange formats built from the catalog and an assessment (pure: data in, data out)."""
