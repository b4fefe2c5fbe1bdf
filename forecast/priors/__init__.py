"""Pooled-prior mathematics, no file access: panels in memory and their exclusions
(:mod:`~forecast.priors.panel`), cross-sections of short series
(:mod:`~forecast.priors.cross_section`), fitted priors (:mod:`~forecast.priors.pooled`, specs in
:mod:`~forecast.priors.pooled_spec`) and the prior library that holds them
(:mod:`~forecast.priors.library`, read by :mod:`forecast.io.prior_library`)."""
