"""Projects, members, participants, sources and their text: the research material."""
