"""Market demand: forecasts per district × occupation, and what the next cohorts should learn."""
