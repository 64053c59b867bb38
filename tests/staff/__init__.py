"""The staff side: the desk, casework views, filters, who sees what."""
