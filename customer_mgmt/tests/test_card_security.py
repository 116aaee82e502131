from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged

from .common import CustomerMgmtCase


@tagged("post_install", "-at_install")
class TestRecordRules(CustomerMgmtCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        gsp = cls.env.ref("customer_mgmt.certificate_type_gsp")
        cls.cert_a, cls.cert_b = cls.env["customer.certificate"].create(
            [
                {"partner_id": cls.customer.id, "type_id": gsp.id, "number": "A-1"},
                {"partner_id": cls.customer_b.id, "type_id": gsp.id, "number": "B-1"},
            ]
        )

    def test_salespeople_see_their_customers_records_only(self):
        certs = self.env["customer.certificate"].with_user(self.salesperson).search([])
        self.assertIn(self.cert_a, certs)
        self.assertNotIn(self.cert_b, certs)
        with self.assertRaises(AccessError):
            self.cert_b.with_user(self.salesperson).read(["number"])
        with self.assertRaises(AccessError):
            self.cert_b.with_user(self.salesperson).write({"number": "forged"})
        with self.assertRaises(AccessError):
            self.env["customer.certificate"].with_user(self.salesperson).create(
                {"partner_id": self.customer_b.id, "type_id": self.cert_b.type_id.id, "number": "X"}
            )
        self.manager.invalidate_recordset()
        manager_certs = self.env["customer.certificate"].with_user(self.manager).search([])
        self.assertIn(self.cert_b, manager_certs)

    def test_reviews_follow_customer(self):
        self.customer_b.with_user(self.manager)._do_card_review("check")
        reviews = self.env["customer.card.review"].with_user(self.salesperson).search([])
        self.assertFalse(reviews & self.customer_b.card_review_ids)
        self.assertEqual(
            self.env["customer.card.review"].with_user(self.salesperson_b).search([]),
            self.customer_b.card_review_ids,
        )
        with self.assertRaises(AccessError):
            self.customer_b.card_review_ids.with_user(self.salesperson_b).write({"remarks": "edited"})

    def test_companies_are_kept_apart(self):
        other = self.setup_other_company(name="上海分公司")["company"]
        self.customer_b.company_id = other
        manager_a = new_test_user(
            self.env,
            "cm_manager_a",
            groups="customer_mgmt.group_customer_manager",
            company_id=self.env.company.id,
            company_ids=[Command.set(self.env.company.ids)],
        )
        certs = self.env["customer.certificate"].with_user(manager_a).search([])
        self.assertIn(self.cert_a, certs)
        self.assertNotIn(self.cert_b, certs)
        self.assertEqual(self.cert_b.company_id, other)
        with self.assertRaises(AccessError):
            self.cert_b.with_user(manager_a).read(["number"])
