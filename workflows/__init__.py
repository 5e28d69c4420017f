"""Workflow definitions as data files, and their loader and validator.

The five shipped workflows live in ``workflows/definitions/*.yaml``. The engine
reads them through :func:`workflows.loader.load_definition`; nothing here knows
about the database.
"""
