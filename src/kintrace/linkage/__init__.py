"""Record linkage engine: a library that imports nothing from the rest of kintrace.

Pipeline (what `kintrace link` runs; see cli.py):

    from kintrace.linkage import model as lm
    from kintrace.linkage.engines import make_api
    from kintrace.linkage.features import build_features
    from kintrace.linkage.io import read_records      # or records_from_frame(df) for a DataFrame

    cases = build_features(read_records("CASES.csv"))
    records = build_features(read_records("LIST.csv"))
    api = make_api("duckdb")                          # or "spark"
    model = lm.fit(api, cases, records)               # EM on the inputs, or the bundled model if small
    pairs = lm.predict(api, model, cases, records)    # case_id, record_id, match_probability,
                                                      # match_weight, band, reasons, <field>_level/_bf

Modules: io (reading and validating files), features (name keys and date/unit columns computed in
Python, one rule switch per name rule), extras (service number, place of birth and other identifying
columns), settings (Splink 5 comparisons and blocking rules that run unchanged on DuckDB and Spark),
model (training, chunked prediction, bands, dedupe), clusters (the list rows that are one man),
namesakes (links that rest on the name alone), reasons
(per-field levels and Bayes factors), engines (DuckDB and Spark sessions), cli. Name and field
rules live in names/ and fields.py.
"""
