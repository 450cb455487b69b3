"""The flowchart: DOT (``dot``) with labels in clinical words (``dot_labels``,
``plain_words``, ``dot_text``), printable pages and PDF (``print_pages``, ``print_pdf``),
and the files Graphviz writes (``files``).
"""
