"""``fibrolang compile --target fhir``: the guideline as a CPG-on-FHIR PlanDefinition."""
