"""The one error type of `lowbit ab`: a revision, a build or a qbench run that failed."""


class AbError(Exception):
    """The A/B run cannot go on; the message says what failed and where its log is."""
