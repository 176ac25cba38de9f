from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """An in-app message to one user (a new MQL, an SLA miss); unread ones make the badge in the menu."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return self.message

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Profile(models.Model):
    """What a user keeps about themselves for others to read: the signature under the emails they send."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    signature = models.TextField(
        max_length=1000, blank=True, help_text="Put under the emails you send from Relay ({{ rep.signature }})."
    )

    def __str__(self):
        return f"Profile of {self.user}"


def signature_of(user) -> str:
    """`user`'s email signature ("" when they wrote none)."""
    profile = Profile.objects.filter(user=user).first() if user and user.pk else None
    return profile.signature if profile else ""
