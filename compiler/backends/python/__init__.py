"""``fibrolang compile --target python``: the guideline as a standalone Python module."""
