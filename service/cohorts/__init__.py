"""Cohort plan and trainer pipeline: how many women to train in which track next, and which graduates could teach
them."""
