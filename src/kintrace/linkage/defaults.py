"""Default thresholds, shared by the model and the CLI (kept free of heavy imports).

Chosen on the synthetic benchmark (benchmarks/bench_linkage_synthetic.py, its threshold sweep): 0.7
keeps precision of the link band near 0.99 (0.98 is the goal, a namesake handed to a family is the
worst error) where 0.5 would fall to 0.98 and 0.9 would give up a tenth of the true links. The
review threshold keeps possible matches in front of a person instead of dropping them.
"""

DEFAULT_THRESHOLD = 0.7
DEFAULT_REVIEW_THRESHOLD = 0.2
