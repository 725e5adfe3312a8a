"""The rest of the Mental Health Units (Use of Force) Act 2018 around the record of each use of force:
the statutory outputs (the MHSDS restrictive-intervention tables) and the unit's governance duties."""
