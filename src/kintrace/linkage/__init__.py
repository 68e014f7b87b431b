"""Record linkage engine: a library that imports nothing from the rest of kintrace."""
