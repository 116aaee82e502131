from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import CreditCase


@tagged("post_install", "-at_install")
class TestCreditReview(CreditCase):
    def setUp(self):
        super().setUp()
        self.registry_enter_test_mode()

    def _review(self):
        cron = self.env.ref("customer_mgmt.ir_cron_credit_review")
        self.env.flush_all()
        cron.method_direct_trigger()
        self.customer.invalidate_recordset()

    def test_cron_holds_and_releases_automatic_holds_only(self):
        self._block(customer_credit_overdue_days=30)
        today = fields.Date.today()
        invoice = self._post_move(self.customer, today - relativedelta(days=31), 100.0)
        self._review()
        self.assertTrue(self.customer.credit_hold)
        self.assertTrue(self.customer.credit_hold_auto)
        self.assertIn("31", self.customer.credit_hold_reason)
        self.assertEqual(self.customer.credit_hold_log_ids.action, "auto_hold")
        self.assertEqual(self.customer.credit_hold_log_ids.overdue_days, 31)
        self._review()
        self.assertEqual(len(self.customer.credit_hold_log_ids), 1, "a rerun logs nothing twice")
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self._review()
        self.assertFalse(self.customer.credit_hold)
        self.assertEqual(self.customer.credit_hold_log_ids[0].action, "auto_release")
        # A manual hold stays after payment.
        self._hold()
        self._review()
        self.assertTrue(self.customer.credit_hold)

    def test_cron_holds_over_limit(self):
        self._block()
        self._post_move(self.customer, fields.Date.today(), 1500.0)
        self._review()
        self.assertTrue(self.customer.credit_hold)
        self.assertIn("1,500.00", self.customer.credit_hold_reason)

    def test_review_writes_in_the_company_language(self):
        """The scheduled action runs as OdooBot: its reasons read in the language of the company."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.company.partner_id.lang = "zh_CN"
        self._block()
        self._post_move(self.customer, fields.Date.today(), 1500.0)
        self._review()
        self.assertIn("超过信用额度", self.customer.credit_hold_reason)
        log = self.env["customer.credit.hold.log"].search([("partner_id", "=", self.customer.id)])
        self.assertIn("超过信用额度", log.reason)

    def test_hold_stands_while_any_company_is_outside_policy(self):
        other = self.setup_other_company(name="上海分公司")["company"]
        other.customer_credit_control = "block"
        self._block()
        self._post_move(self.customer, fields.Date.today(), 1500.0)
        self._review()
        self.assertTrue(self.customer.credit_hold)
        self._review()
        self.assertTrue(
            self.customer.credit_hold, "a company where the customer is within policy must not release it"
        )
        self.assertEqual(self.customer.credit_hold_log_ids.mapped("action"), ["auto_hold"])

    def test_expired_limit_requires_review(self):
        self._block()
        application = self.env["customer.credit.application"].create(
            {
                "partner_id": self.customer.id,
                "requested_limit": 800.0,
                "justification": "Steady customer",
                "date_end": fields.Date.today() + relativedelta(days=1),
            }
        )
        application.action_submit()
        application.with_user(self.controller).action_approve()
        self.assertFalse(self.customer.credit_review_required)
        with freeze_time(fields.Date.today() + relativedelta(days=2)):
            self._review()
        self.assertTrue(self.customer.credit_review_required)
        activities = self.customer.activity_ids
        self.assertIn(self.controller, activities.user_id)
