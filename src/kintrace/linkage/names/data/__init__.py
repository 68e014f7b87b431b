"""Name-form tables shipped with the package (see SOURCES.md)."""
