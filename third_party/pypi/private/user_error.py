"""The error the wheel index tools report as one message, without a traceback."""


class UserError(Exception):
    """An error the user can fix; reported as one message, no traceback."""
