"""The words a person is shown beside each consent choice.

Each statement is shown next to its button or box and recorded, exactly, in the
ConsentRecord that the click writes, so the ledger says what the person agreed to.
"""

from consent.cookies import CATEGORY_DESCRIPTION, Category
from consent.models import Purpose

PURPOSE_STATEMENT = {
    Purpose.PLATFORM: (
        "I agree to the Home Learning Portal using my account details, and my children's "
        "learning records, as the privacy notice describes."
    ),
    Purpose.MEDIA_PROMOTION: (
        "The photos and comments I share may be used to promote the home learning programme."
    ),
    Purpose.MARKETING_EMAIL: "Send me occasional news about the programme by email.",
    Purpose.COOKIES_PERFORMANCE: CATEGORY_DESCRIPTION[Category.PERFORMANCE],
    Purpose.COOKIES_FUNCTIONAL: CATEGORY_DESCRIPTION[Category.FUNCTIONAL],
}

# What withdrawing means, shown beside the withdraw button.
WITHDRAW_EFFECT = {
    Purpose.PLATFORM: (
        "Withdrawing this stops the portal using your account: from your next click you "
        "will only see a page asking you to agree again or sign out. Your account and your "
        "children's records are kept; to have your own data deleted, ask to close your "
        "account instead."
    ),
    Purpose.MEDIA_PROMOTION: "Nothing you share will be used to promote the programme.",
    Purpose.MARKETING_EMAIL: "You will get no news emails. Messages about your account still come.",
    Purpose.COOKIES_PERFORMANCE: "No performance cookies will be set.",
    Purpose.COOKIES_FUNCTIONAL: "No functional cookies will be set.",
}


def reconsent_statement(version: str) -> str:
    return (
        "I agree to the Home Learning Portal using my account details, and my children's "
        f"learning records, as version {version} of the privacy notice describes."
    )


def acknowledge_statement(version: str) -> str:
    return (
        f"I have read what changed in version {version} of the privacy notice and "
        "continue to use the portal under it."
    )
