"""The portfolio: the data model of a client engagement, reading it from YAML or a table, and
editing a YAML portfolio in place."""
