"""The built-in demo-data steps; importing a module registers its steps."""
