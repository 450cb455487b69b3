"""The test generator: a pytest suite, from the guideline itself, that drives every branch.

``fibrolang testgen`` (``suite.generate``) asks the path-condition analysis
(``compiler.analysis``: the one z3 encoding) for concrete, readable patients
(``cases``), renders them as a pytest module whose tests pin each result with
a syrupy snapshot (``module``, ``literals``, ``view``), and reads the module
back before writing it. ``fibrolang coverage`` (``coverage``) measures which
edges, paths and item outcomes the committed suite takes; ``fibrolang
mutate`` (``mutants``, ``mutate``, ``equivalence``) measures how many small
changes of the guideline the committed suite notices. docs/testing.md tells
the whole story.
"""
