"""The classroom role-play (``kosi-sim classroom``): a seminar governs one city together.

``roles`` declares each role's decisions and limits; ``game`` plays the city and its default
twin one year a turn; ``store`` keeps rooms in SQLite; ``rooms`` manages players, decisions
and turns; ``state`` builds what each page shows; ``debrief`` the debrief and the export;
``server``, ``pages`` and ``static/`` the web app; ``loadgen`` simulated students for the load
test and the benchmark.  The model never imports this package.
"""
