"""The library's front: the ``Summariser`` client, its hooks, the per-call wrapper and batches."""
