"""Pure matching library: reference data, skill normalisation and scoring, free of any service code."""
