"""kintrace: the open system for tracing missing persons with their families."""

__version__ = "0.1.0"
