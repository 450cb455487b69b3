"""For a review committee: what changed between two versions of a guideline (``diff``), and
one self-contained HTML page to review and sign a version (``pack``)."""
