"""``fibrolang fmt``: one canonical layout for every guideline (``formatter``), built
from a layout of the syntax tree (``layout``) by a Wadler-style printer (``doc``).
"""
