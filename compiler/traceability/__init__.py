"""Traceability: a clinical source split into sentences (``source_document``) and the
report of which elements of a guideline encode each sentence (``report``).
"""
