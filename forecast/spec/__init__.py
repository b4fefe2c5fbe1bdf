"""What a scenario says: the plan, its indicators, targets, distributions and levers (no file access)."""
