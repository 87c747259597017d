"""The portal's settings for a benchmark worker that keeps its database connection.

Celery's Django fixup closes every database connection before and after each
task unless ``CELERY_DB_REUSE_MAX`` is set; ``CONN_MAX_AGE`` does not count in a
worker. With it, a worker process opens a connection once per this many tasks.
benchmarks/invitations.py measures delivery with and without it.
"""

from portal.settings import *  # noqa: F403

CELERY_DB_REUSE_MAX = 100
