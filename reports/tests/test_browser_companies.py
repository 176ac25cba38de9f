"""Companies in the browser: an Excel import builds them, a marketer merges a duplicate, a rep reaches the
company from his deal, and a manager exports the filtered company list."""

import csv
import io
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from companies.models import Company, CompanyMerge
from deals.models import Activity
from deals.services import create_deal
from leads.models import Lead
from leads.tests.factories import LeadFactory
from reports.tasks import refresh_account_rollups

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("ann@acme-robotics.com", "Ann", "Archer", "Acme Robotics"),
    ("ben@acme-robotics.com", "Ben", "Bauer", "Acme Robotics"),
    ("cho@EU.acme-robotics.com", "Cho", "Chen", "Acme Robotics"),
    ("dev@boltfreight.io", "Dev", "Diaz", "Bolt Freight"),
    ("eli@boltfreight.io", "Eli", "Evans", "Bolt Freight"),
    ("fay@gmail.com", "Fay", "Fox", "ACME robotics"),
]


def workbook_of_people(path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Email", "First name", "Last name", "Company", "Industry"])
    for email, first, last, company in PEOPLE:
        sheet.append([email, first, last, company, "Robotics" if "acme" in company.lower() else "Logistics"])
    workbook.save(path)


def test_an_xlsx_import_builds_two_companies_and_a_marketer_merges_a_duplicate(
    page, sign_in_browser, marketer, tmp_path
):
    typed_by_hand = Company.objects.create(name="ACME Robotics Inc.")
    LeadFactory(email="gus@yahoo.com", first_name="Gus", last_name="Grant", account=typed_by_hand)
    path = tmp_path / "trade-show.xlsx"
    workbook_of_people(path)

    sign_in_browser(marketer)
    page.goto("/leads/import/")
    page.get_by_label("CSV or Excel file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_label("Column “Email”")).to_have_value("email")
    expect(page.get_by_text("ann@acme-robotics.com")).to_be_visible()  # sample values under the column
    page.get_by_role("button", name="Start the import").click()
    expect(page.get_by_role("progressbar", name="Import progress")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("import-summary")).to_contain_text("6 created")

    refresh_account_rollups()  # the beat's sweep, every minute
    page.goto("/companies/?sort=people")
    rows = page.get_by_role("row")
    expect(rows.filter(has_text="Acme Robotics").filter(has_text="acme-robotics.com")).to_contain_text("4")
    expect(rows.filter(has_text="Bolt Freight")).to_contain_text("boltfreight.io")
    page.get_by_role("link", name="Acme Robotics", exact=True).click()
    people = page.get_by_test_id("people")
    for name in ("Ann Archer", "Ben Bauer", "Cho Chen", "Fay Fox"):
        expect(people).to_contain_text(name)
    expect(page.get_by_test_id("company-meta")).to_contain_text("Robotics")  # from its people's rows

    page.get_by_role("link", name=re.compile("Merge a duplicate")).click()
    page.get_by_label("Find the duplicate by name, web domain or id").fill("ACME Robotics Inc")
    page.get_by_role("button", name="Search").click()
    page.get_by_test_id("merge-candidates").get_by_role("link", name=re.compile("Merge into")).click()
    page.get_by_role("button", name="Merge ACME Robotics Inc. into Acme Robotics").click()
    expect(page.get_by_test_id("people")).to_contain_text("Gus Grant")
    expect(page.get_by_text("Also known as ACME Robotics Inc.")).to_be_visible()
    assert not Company.objects.filter(pk=typed_by_hand.pk).exists()
    assert CompanyMerge.objects.get().merged_name == "ACME Robotics Inc."
    assert Lead.objects.filter(account__name="Acme Robotics").count() == 5


def test_a_rep_opens_the_company_from_his_deal_and_sees_its_people_and_timeline(page, sign_in_browser, rep):
    acme = Company.objects.create(name="Acme Robotics")
    ann = LeadFactory(email="ann@acme-robotics.com", first_name="Ann", last_name="Archer", account=acme)
    LeadFactory(email="ben@acme-robotics.com", first_name="Ben", last_name="Bauer", account=acme)
    deal = create_deal(by=rep, title="Robot arms for the Leeds plant", lead=ann, amount=12000)
    Activity.objects.create(deal=deal, kind=Activity.Kind.CALL, subject="Discovery call with Ann", by=rep)
    assert deal.account == acme

    sign_in_browser(rep)
    page.goto(f"/deals/{deal.pk}/")
    page.get_by_test_id("deal-account").click()
    expect(page.get_by_role("heading", name="Acme Robotics", level=1)).to_be_visible()
    expect(page.get_by_test_id("people")).to_contain_text("Ann Archer")
    expect(page.get_by_test_id("people")).to_contain_text("Ben Bauer")
    expect(page.get_by_test_id("deals")).to_contain_text("Robot arms for the Leeds plant")
    expect(page.get_by_test_id("timeline")).to_contain_text("Discovery call with Ann")


def test_a_manager_exports_the_filtered_company_list(page, sign_in_browser, manager):
    for name, industry, score in [("Acme Robotics", "Robotics", 70), ("Bolt Freight", "Logistics", 40)]:
        Company.objects.create(name=name, industry=industry, account_score=score)

    sign_in_browser(manager)
    page.goto("/companies/")
    page.get_by_label("Industry").fill("Robotics")
    page.get_by_label("Industry").press("Enter")
    expect(page.get_by_role("row").filter(has_text="Bolt Freight")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert [row["name"] for row in rows] == ["Acme Robotics"]
    assert rows[0]["industry"] == "Robotics"
