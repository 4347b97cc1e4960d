"""Host App's own widgets (a package named ``ui``, like many Qt apps have)."""
