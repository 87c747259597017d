"""Forms of the learning pages."""
