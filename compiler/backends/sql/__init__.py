"""The SQL target: a guideline as one query over a patients table (docs/population.md)."""
