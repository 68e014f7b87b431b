"""The server: the one ASGI app that `kintrace serve` and `kintrace demo` run.

`kintrace.server.app.create_app` assembles the plumbing (`kintrace.http`), the REST API
(`kintrace.api`) and the web pages (`kintrace.web`), which stand apart from each other; the jobs
beside its lifespan live here too (`background`, `warm_up`, `checkpoints`, `news_schedule`).
"""
