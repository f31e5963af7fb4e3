"""feedback stage."""
