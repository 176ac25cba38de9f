"""Demo users for `seed_demo`: one per role (two sales reps, so round-robin has someone to rotate to)."""

from django.contrib.auth import get_user_model

from crm.roles import MANAGER, MARKETER, SALES_REP, set_role

DEMO_PASSWORD = "relay-demo"  # noqa: S105 - documented demo login, refused when DEBUG is off

DEMO_USERS = [
    # username, first name, last name, role
    ("marketer", "Maya", "Marsh", MARKETER),
    ("manager", "Omar", "Nadel", MANAGER),
    ("rep1", "Rita", "Perez", SALES_REP),
    ("rep2", "Sam", "Okafor", SALES_REP),
]


def seed_users(stdout=None) -> dict[str, object]:
    """Create the demo users that do not exist yet; print each new login once. Returns users by username."""
    User = get_user_model()
    users = {}
    for username, first_name, last_name, role in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first_name, "last_name": last_name, "email": f"{username}@relay.example"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            set_role(user, role)
            if stdout is not None:
                stdout.write(f"  created {role:<10} login: {username} / {DEMO_PASSWORD}")
        users[username] = user
    return users
