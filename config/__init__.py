"""Everything read from files and the environment: the settings, the programme plan files and the register of
school owners. The domain stays pure; this package reads what it needs and hands it over."""
