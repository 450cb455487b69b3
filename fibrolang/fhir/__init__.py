"""FHIR R4 input bindings at run time: a Bundle read into a patient record.

An optional extra (``pip install fibrolang[fhir]``): it needs fhirpathpy, and
the runtime core never imports it. See docs/fhir.md.
"""

from __future__ import annotations

from fibrolang.fhir.reader import FhirProblem, Reading, read_bundle

__all__ = ["FhirProblem", "Reading", "read_bundle"]
