from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import CustomerMgmtCase


@tagged("post_install", "-at_install")
class TestCustomerCard(CustomerMgmtCase):
    def test_completeness_default_fields(self):
        partner = self.env["res.partner"].create({"name": "空白客户", "is_company": True})
        self.assertEqual(partner.card_completeness, 0.0)
        required = partner._customer_card_default_required_fields()
        partner.write({"street": "解放路 1 号", "phone": "+86 571 5550000", "customer_channel": "retail"})
        self.assertAlmostEqual(partner.card_completeness, 300.0 / len(required), places=1)

    def test_company_periods_must_be_positive(self):
        with self.assertRaisesRegex(ValidationError, "Former Customer Period .* must be a number from 1 to"):
            self.env.company.customer_former_months = 0

    def test_completeness_company_required_fields(self):
        fields_model = self.env["ir.model.fields"]
        self.env.company.customer_card_required_field_ids = fields_model._get(
            "res.partner", "legal_representative"
        ) | fields_model._get("res.partner", "certificate_ids")
        self.customer.company_id = self.env.company
        self.customer.legal_representative = "王建国"
        self.assertEqual(self.customer.card_completeness, 50.0)
        self.env["customer.certificate"].create(
            {
                "partner_id": self.customer.id,
                "type_id": self.env.ref("customer_mgmt.certificate_type_business_licence").id,
                "number": "91330100MA27XXXX1",
            }
        )
        self.assertEqual(self.customer.card_completeness, 100.0)
        # changing the company's rule recomputes the stored figure
        self.env.company.customer_card_required_field_ids = fields_model._get("res.partner", "founding_date")
        self.assertEqual(self.customer.card_completeness, 0.0)

    def test_card_changes_tracked(self):
        # "commit" the customer's creation: Odoo does not track records created in the same transaction
        self.env.flush_all()
        self.env.cr.precommit.run()
        # a real client's context: the test base class disables mail tracking
        customer = self.customer.with_env(self.env(user=self.salesperson, context={}))
        customer.sales_capability = "high"
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written when the transaction commits
        tracked = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", "customer.card"),
                    ("mail_message_id.res_id", "=", self.customer.customer_card_id.id),
                    ("field_id.name", "=", "sales_capability"),
                ]
            )
        )
        # on the card's own history: the partner's chatter is read by every user
        self.assertEqual(tracked.mail_message_id.author_id, self.salesperson.partner_id)
        self.assertEqual(tracked.new_value_char, "High")

    @freeze_time("2026-06-30")
    def test_sales_12_months(self):
        self._post_move(self.customer, "2025-06-29", amount=5000.0)  # outside the window
        self._post_move(self.customer, "2025-06-30", amount=1000.0)
        self._post_move(self.customer, "2026-06-01", amount=300.0, move_type="out_refund")
        contact = self.env["res.partner"].create({"name": "采购部", "parent_id": self.customer.id})
        self._post_move(contact, "2026-06-15", amount=200.0)
        self.assertEqual(self.customer.sales_12_months, 900.0)

    def test_key_account_type_and_focus(self):
        self.customer.write({"loyalty": "loyal", "ownership_type": "state_owned"})
        self.assertEqual(self.customer.key_account_type, "loyal_state")
        self.assertIn("long-term", self.customer.service_focus)
        self.customer_b.write({"loyalty": "disloyal", "ownership_type": "private"})
        self.assertEqual(self.customer_b.key_account_type, "disloyal_private")
        self.assertIn("short-term", self.customer_b.service_focus)

    def test_contacts_follow_company_classification(self):
        contact = self.env["res.partner"].create({"name": "李海燕", "parent_id": self.customer.id})
        self.customer.write({"customer_channel": "wholesale", "is_key_account": True})
        self.assertEqual(contact.customer_channel, "wholesale")
        self.assertTrue(contact.is_key_account)
        self.assertFalse(contact.is_customer_card)

    def test_salesperson_edits_own_cards_only(self):
        self.customer.with_user(self.salesperson).legal_representative = "王建国"
        self.assertEqual(self.customer.legal_representative, "王建国")
        with self.assertRaisesRegex(AccessError, "广州广药医药有限公司"):
            self.customer_b.with_user(self.salesperson).legal_representative = "李四"
        with self.assertRaises(AccessError):
            self.customer_b.with_user(self.salesperson).user_id = self.salesperson
        self.assertEqual(self.customer_b.user_id, self.salesperson_b)
        self.customer_b.with_user(self.manager).legal_representative = "李四"
        self.assertEqual(self.customer_b.legal_representative, "李四")

    def test_salesperson_changes_nothing_of_another_salespersons_customer(self):
        contact_b = self.env["res.partner"].create({"name": "采购 王芳", "parent_id": self.customer_b.id})
        own_contact = self.env["res.partner"].create({"name": "采购 李雷", "parent_id": self.customer.id})
        as_sales = self.env["res.partner"].with_user(self.salesperson)
        terms = self.env["account.payment.term"].search([], limit=1)
        routes = {
            "name": lambda: self.customer_b.with_user(self.salesperson).write({"name": "改名"}),
            "street": lambda: self.customer_b.with_user(self.salesperson).write({"street": "伪造路 1 号"}),
            "email": lambda: self.customer_b.with_user(self.salesperson).write({"email": "x@example.com"}),
            "payment terms": lambda: self.customer_b.with_user(self.salesperson).write(
                {"property_payment_term_id": terms.id}
            ),
            "archive": lambda: self.customer_b.with_user(self.salesperson).action_archive(),
            "delete": lambda: self.customer_b.with_user(self.salesperson).unlink(),
            "their contact": lambda: contact_b.with_user(self.salesperson).write({"phone": "123"}),
            "new contact": lambda: as_sales.create({"name": "卧底", "parent_id": self.customer_b.id}),
            "move own contact in": lambda: own_contact.with_user(self.salesperson).write(
                {"parent_id": self.customer_b.id}
            ),
        }
        for route, attempt in routes.items():
            with self.subTest(route=route), self.assertRaisesRegex(AccessError, "广州广药医药有限公司"):
                attempt()
        self.assertRecordValues(
            self.customer_b,
            [{"name": "广州广药医药有限公司", "street": False, "email": False, "active": True}],
        )
        self.assertEqual(own_contact.parent_id, self.customer)
        # their own and unassigned customers stay theirs to change
        unassigned = self.env["res.partner"].create({"name": "无主客户", "is_company": True})
        self.customer.with_user(self.salesperson).street = "解放路 8 号"
        unassigned.with_user(self.salesperson).write(
            {"street": "人民路 1 号", "user_id": self.salesperson.id}
        )
        self.assertEqual(unassigned.user_id, self.salesperson)

    def test_customers_with_history_are_archived_not_deleted(self):
        self.env["customer.card.access.log"].sudo().create(
            {"user_id": self.custodian.id, "partner_id": self.customer.id, "field_names": "hobbies"}
        )
        with self.assertRaisesRegex(UserError, "杭州华东医药批发有限公司 cannot be deleted"):
            self.customer.with_user(self.manager).unlink()
        self.assertTrue(self.customer.exists())
        self.customer.with_user(self.manager).action_archive()
        self.assertTrue(self.env["customer.card.access.log"].search([("partner_id", "=", self.customer.id)]))
        plain = self.env["res.partner"].create({"name": "临时客户", "is_company": True})
        plain.with_user(self.manager).unlink()
        self.assertFalse(plain.exists())

    def test_plain_sales_user_keeps_odoo_behaviour(self):
        """Contact editors without the module's groups edit Odoo's own partner fields as before,
        but not the card."""
        plain = self.env["res.users"].create(
            {
                "name": "Plain salesman",
                "login": "plain_salesman",
                "group_ids": [
                    Command.set(
                        (
                            self.env.ref("sales_team.group_sale_salesman")
                            | self.env.ref("base.group_partner_manager")
                        ).ids
                    )
                ],
            }
        )
        self.customer_b.with_user(plain).write({"phone": "+86 20 1234567", "user_id": plain.id})
        self.assertEqual(self.customer_b.user_id, plain)
        contact = (
            self.env["res.partner"]
            .with_user(plain)
            .create({"name": "New contact", "parent_id": self.customer.id})
        )
        self.assertEqual(contact.parent_id, self.customer)
        with self.assertRaises(AccessError):
            self.customer.with_user(plain).legal_representative = "Not allowed"

    def test_review_by_manager(self):
        self.customer.sales_capability = "high"
        wizard_action = self.customer.with_user(self.manager).action_open_card_review()
        wizard = Form(
            self.env[wizard_action["res_model"]]
            .with_user(self.manager)
            .with_context(**wizard_action["context"])
        )
        wizard.remarks = "缺少营业执照扫描件"
        wizard.save().action_review()
        review = self.customer.card_review_ids
        self.assertRecordValues(
            review,
            [
                {
                    "reviewer_id": self.manager.id,
                    "salesperson_id": self.salesperson.id,
                    "remarks": "缺少营业执照扫描件",
                    "completeness": self.customer.card_completeness,
                }
            ],
        )
        self.assertEqual(self.customer.card_last_review_date, review.review_date)
        self.assertEqual(self.customer.card_last_reviewer_id, self.manager)
        self.assertIn("缺少营业执照扫描件", self.customer.message_ids[0].body)
        self.assertFalse(self.customer.card_review_overdue)

    def test_review_refused(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesperson).action_open_card_review()
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesperson)._do_card_review("self-approved")
        with self.assertRaises(UserError):
            self.customer.with_user(self.manager)._do_card_review("  ")
        self.assertFalse(self.customer.card_review_ids, "nothing is half-written")

    def test_review_overdue(self):
        with freeze_time("2026-03-01"):
            self.customer.with_user(self.manager)._do_card_review("OK")
        with freeze_time("2026-03-08"):
            self.assertFalse(self.customer.card_review_overdue)
            self.assertNotIn(
                self.customer, self.env["res.partner"].search([("card_review_overdue", "=", True)])
            )
        with freeze_time("2026-03-09"):
            self.customer.invalidate_recordset(["card_review_overdue"])
            self.assertTrue(self.customer.card_review_overdue)
            overdue = self.env["res.partner"].search([("card_review_overdue", "=", True)])
            self.assertIn(self.customer, overdue)
            self.assertIn(self.customer_b, overdue, "a card never reviewed is overdue")

    @freeze_time("2026-06-30")
    def test_certificate_states(self):
        cert_type = self.env.ref("customer_mgmt.certificate_type_gsp")
        cert_type.expiry_warning_days = 60
        certs = self.env["customer.certificate"].create(
            [
                {"partner_id": self.customer.id, "type_id": cert_type.id, "number": n, "expiry_date": d}
                for n, d in (
                    ("A", "2026-06-29"),
                    ("B", "2026-06-30"),
                    ("C", "2026-08-29"),
                    ("D", "2026-08-30"),
                )
            ]
            + [{"partner_id": self.customer.id, "type_id": cert_type.id, "number": "E"}]
        )
        self.assertEqual(certs.mapped("state"), ["expired", "expiring", "expiring", "valid", "valid"])
        search = self.env["customer.certificate"].search
        self.assertEqual(
            search([("id", "in", certs.ids), ("state", "=", "expiring")]).mapped("number"), ["B", "C"]
        )
        self.assertEqual(search([("id", "in", certs.ids), ("state", "=", "expired")]).mapped("number"), ["A"])
        self.assertEqual(
            sorted(search([("id", "in", certs.ids), ("state", "=", "valid")]).mapped("number")), ["D", "E"]
        )

    def test_certificate_dates_checked(self):
        with self.assertRaisesRegex(ValidationError, "X of 杭州华东医药批发有限公司 expires"):
            self.env["customer.certificate"].create(
                {
                    "partner_id": self.customer.id,
                    "type_id": self.env.ref("customer_mgmt.certificate_type_gsp").id,
                    "number": "X",
                    "issue_date": "2026-05-01",
                    "expiry_date": "2026-04-01",
                }
            )
