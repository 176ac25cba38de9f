"""Who may do what on the leads pages (DOMAIN.md "Roles"): reps read and add notes, marketers and managers
create, edit and import, managers alone act in bulk; anonymous visitors only see the public capture form."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from leads.imports.upload import start_import
from leads.tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "marketer", "rep", "other_rep", "manager"]
LOGIN = "login"


@pytest.fixture
def world(db, campaign, marketer):
    lead = LeadFactory()
    lead_import = start_import(uploaded=SimpleUploadedFile("a.csv", b"email\nx@example.com\n"), by=marketer)
    return {"lead": lead.pk, "import": lead_import.pk}


# (method, path template, expected status per role in ROLES order)
MATRIX = [
    ("get", "/leads/", [LOGIN, 200, 200, 200, 200]),
    ("get", "/leads/{lead}/", [LOGIN, 200, 200, 200, 200]),
    ("post", "/leads/{lead}/notes/", [LOGIN, 302, 302, 302, 302]),
    ("get", "/leads/new/", [LOGIN, 200, 403, 403, 200]),
    ("get", "/leads/{lead}/edit/", [LOGIN, 200, 403, 403, 200]),
    ("post", "/leads/bulk/", [LOGIN, 403, 403, 403, 302]),
    ("get", "/leads/import/", [LOGIN, 200, 403, 403, 200]),
    ("get", "/leads/import/{import}/mapping/", [LOGIN, 200, 404, 404, 200]),
    ("get", "/leads/import/{import}/", [LOGIN, 200, 404, 404, 200]),
    ("get", "/capture/spring-webinar/", [200, 200, 200, 200, 200]),
]


@pytest.mark.parametrize(("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_permission_matrix(client_for, request, world, method, path, expected, role_index):
    role = ROLES[role_index]
    user = None if role == "anonymous" else request.getfixturevalue(role)
    client = client_for(user)
    url = path.format(**world)
    data = {"body": "hello"} if "notes" in url else {}
    response = getattr(client, method)(url, data)
    want = expected[role_index]
    if want == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == want


def test_a_user_without_a_role_sees_no_lead(client_for, world):
    from crm.tests.factories import UserFactory

    client = client_for(UserFactory())
    assert client.get("/leads/").status_code == 403
    assert client.get(f"/leads/{world['lead']}/").status_code == 403
