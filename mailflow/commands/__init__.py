"""The command line's commands, one module per family; each `cmd_*` takes the settings and the arguments."""
