"""Sellers' listings files: the columns and their values (``columns``), reading CSV, TSV and XLSX (``files``), what
each row would do against the seller's listings and the catalog's books (``planning``, which writes nothing) and
the django-import-export resource that writes the inventory and the template (``resource``). Checking a file,
applying it in batches and the run's life are in catalog.services.imports."""
