"""Diagnostics: the catalogue of codes and the ``Diagnostic`` record (``catalogue``),
and the renderers of ``--format human|plain|json`` (``renderers``).
"""
