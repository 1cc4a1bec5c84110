"""Sellers' listings files: the columns and their values (``columns``), reading CSV, TSV and XLSX (``files``) and
the django-import-export resource that writes the inventory and the template (``resource``). The rules of
checking and applying a file are in catalog.services.imports."""
