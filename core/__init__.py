"""What every stage shares: the domain model, settings, errors and backend factories."""
