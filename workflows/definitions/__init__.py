"""The shipped workflow definitions, one YAML file each (package data)."""
