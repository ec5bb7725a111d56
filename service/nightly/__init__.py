"""The nightly match run: proposals for everyone at once, and what follows them."""
