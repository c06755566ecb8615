"""Harnesses around the Django-free matching engine: synthetic catalogs and timings, evaluation on labelled cases."""
