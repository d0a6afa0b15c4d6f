"""The one error type the frontend raises for input it cannot read."""


class FrontendError(ValueError):
    """Bad input text: the message is one line, fit to show a user as is."""


class NothingToRead(FrontendError):
    """The text is empty or has no character the frontend can read (emoji, symbols only)."""
