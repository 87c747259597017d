"""python manage.py check_consent_ledger

Recomputes every consent record's hash and checks each links to the same user's
previous record. Streams the ledger in (user, id) order, so memory stays bounded
however large it grows. Exits non-zero, naming the first broken record of each
broken chain.
"""

from django.core.management.base import BaseCommand, CommandError

from consent.models import ConsentRecord, record_digest, wording_digest

FIELDS = [
    "id",
    "user_id",
    "purpose",
    "granted",
    "notice_id",
    "wording",
    "wording_hash",
    "method",
    "created_at",
    "previous_hash",
    "record_hash",
]


def record_problem(row: dict, expected_previous_hash: str) -> str | None:
    """What is wrong with one record given its predecessor's hash, or None."""
    if row["previous_hash"] != expected_previous_hash:
        return "does not link to the previous record (a record was removed, added or changed)"
    if wording_digest(row["wording"]) != row["wording_hash"]:
        return "its wording does not match its wording hash"
    recomputed = record_digest(
        user_id=row["user_id"],
        purpose=row["purpose"],
        granted=row["granted"],
        notice_id=row["notice_id"],
        wording_hash=row["wording_hash"],
        method=row["method"],
        created_at=row["created_at"],
        previous_hash=row["previous_hash"],
    )
    if recomputed != row["record_hash"]:
        return "its contents do not match its hash"
    return None


class Command(BaseCommand):
    help = "Verify the hash chain of every user's consent records."

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size", type=int, default=2000, help="rows fetched from the database at once"
        )

    def handle(self, *args, chunk_size: int, **options):
        rows = (
            ConsentRecord.objects.order_by("user_id", "id")
            .values(*FIELDS)
            .iterator(chunk_size=chunk_size)
        )
        chains = records = 0
        broken: list[str] = []
        current_user = None
        previous_hash = ""
        chain_broken = False
        for row in rows:
            records += 1
            if row["user_id"] != current_user:
                chains += 1
                current_user = row["user_id"]
                previous_hash = ""
                chain_broken = False
            if not chain_broken:
                problem = record_problem(row, previous_hash)
                if problem:
                    chain_broken = True
                    broken.append(f"user {row['user_id']}: consent record {row['id']} {problem}")
            previous_hash = row["record_hash"]

        self.stdout.write(f"Checked {chains} chains, {records} records.")
        if broken:
            for line in broken:
                self.stderr.write(line)
            raise CommandError(f"{len(broken)} broken chain(s) in the consent ledger.")
        self.stdout.write(self.style.SUCCESS("Every chain is intact."))
