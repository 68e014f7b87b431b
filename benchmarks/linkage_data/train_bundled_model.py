"""Train the model kintrace ships for inputs too small to train on (src/kintrace/linkage/bundled_model.json).

    python -m benchmarks.linkage_data.train_bundled_model

It is trained unsupervised (EM) on the synthetic cases and list of `generator.py` (4,000 x 16,000,
seed 11, a seed the benchmark does not use), so its m and u probabilities describe how lists write
men; the prior is reset for each input by `TrainedModel.for_inputs`.
"""

from __future__ import annotations

from benchmarks.linkage_data.generator import generate
from kintrace.linkage import model as lm
from kintrace.linkage.engines import duckdb_api
from kintrace.linkage.features import build_features
from kintrace.linkage.io import records_from_frame


def main() -> None:
    cases, records, _, _ = generate(4000, 16000, seed=11)
    cf = build_features(records_from_frame(cases, "cases"))
    lf = build_features(records_from_frame(records, "list"))
    trained = lm.train(duckdb_api(), cf, lf)
    trained.save(lm.BUNDLED_MODEL)
    print(f"wrote {lm.BUNDLED_MODEL}")


if __name__ == "__main__":
    main()
