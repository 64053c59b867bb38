"""Who can act on a report: the rules file, offices, election windows, the engine, rendering."""
