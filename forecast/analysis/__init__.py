"""Analyses of calibrated models and their runs: compare, solve, backtest, calibration report."""
