"""Evaluation statistics: pure functions over plain (numpy) data, no Django.

``dataset`` defines the columnar input; ``paired``, ``rci``, ``cutoff``, ``compare`` and
``mixed`` compute; ``suppression`` withholds small cells; ``report`` assembles the report;
``charts`` draws it as SVG.
"""
