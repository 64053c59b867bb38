"""The error every data file (rules, offices, elections) raises when it is malformed."""


class DataFileError(ValueError):
    """A data file is malformed; the message is one line naming the file and the entry."""
