"""trainees."""
