"""Default thresholds, shared by the model and the CLI (kept free of heavy imports).

Chosen on the synthetic benchmark (benchmarks/bench_linkage_synthetic.py): at the link threshold a
namesake with a common name and no other evidence stays out of the link band; the review threshold
keeps possible matches in front of a person instead of dropping them.
"""

DEFAULT_THRESHOLD = 0.9
DEFAULT_REVIEW_THRESHOLD = 0.2
