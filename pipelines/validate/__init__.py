"""Validation with Great Expectations: suites from the contract, GX runs, stores, Data Docs.

frame (the check frame's columns), suites (the expectations), contents (each
distinct value GX must see, per area), known_values (values validated before:
from the contract's domains, or by earlier committed nights), gx (the runs),
data_docs (the site).
"""
