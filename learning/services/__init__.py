"""Every write to learning data: topics and activities, assignments, families' work and feedback, awards."""
