"""The registry of trained models: versions, metrics, artefacts (skops), and which one is active."""
