"""Skills taxonomy (ESCO v1.1.1, O*NET 29.2): pure values, label normalisation and ranked search."""
