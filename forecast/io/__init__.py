"""Everything that reads or writes files: scenario YAML, history CSVs, panels, the prior library, outputs."""
