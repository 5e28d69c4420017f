"""The HTML pages: each module here defines a ``blueprint`` that the app registers."""
