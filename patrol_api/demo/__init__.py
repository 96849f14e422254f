"""Demo data for Yeongdeungpo-gu: the district (district.py) and its simulated months of
activity (activity.py with clock, simulation, rounds, stories, scenery, phones, photos)."""
