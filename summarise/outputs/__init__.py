"""What users read: renderers for one record and briefings built from many."""
