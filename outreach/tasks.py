from celery import shared_task
from django.conf import settings

from outreach import replies


@shared_task(name="outreach.read_replies", ignore_result=True)
def read_replies() -> int:
    """Beat, every minute when IMAP_URL is set: store the replies waiting in the replies mailbox
    (`outreach.replies.read_replies`). A run that fails leaves the messages unseen for the next one."""
    if not settings.IMAP_URL:
        return 0
    return replies.read_replies()
