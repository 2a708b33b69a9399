"""The casus engine: interactive case exercises loaded from ``casuses/*.yaml`` (pure, no Flask).

- ``loader.load_casuses``: files -> validated ``model.Casus`` objects (every error with file and line);
- ``engine``: ``start``, ``advance`` and the immutable ``RunState``;
- ``debrief.debrief``: the learner's path beside the recommended one.
"""
