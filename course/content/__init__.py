"""Course content: the frozen model, and loading and validating it from text files."""
