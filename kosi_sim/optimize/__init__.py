"""Robust lab design (``kosi-sim optimize``): problem files (:mod:`.problem`), the futures
every design meets (:mod:`.futures`), one design in one future (:mod:`.evaluate`), robustness
over futures (:mod:`.robustness`), the pymoo search with its epsilon archive and checkpoints
(:mod:`.search`, :mod:`.archive`), the output folder (:mod:`.study`) and its report
(:mod:`.report`)."""
