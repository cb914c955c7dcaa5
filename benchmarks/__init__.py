"""`make bench`: the data generator and the measurements behind SPEC §12 "Performance"."""
