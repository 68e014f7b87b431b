"""DNA kinship engine: likelihood ratios that identify missing persons from STR profiles of their relatives.

A library that imports nothing from the rest of kintrace. ``README.md`` beside this file describes the
model, the modules, the public API (``lr.missing_person_lr``, ``exact_pairs.MissingPersonScorer``,
``match.match_all``, ``power.reference_strength``, ``dvi.pairwise_matrices``, ``dvi_joint.dvi_joint``,
``dvi_solve.dvi_solve``) and the ``kintrace dna`` commands.
"""
