"""Analyses of calibrated models and their runs: drivers, sensitivity, compare, solve, plan,
update, the backtests and hold-outs, the calibration report."""
