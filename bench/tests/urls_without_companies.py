"""No URLs at all, so no company pages: for the suite that must skip without them."""

urlpatterns = []
