from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import CreditCase


@tagged("post_install", "-at_install")
class TestCreditApplication(CreditCase):
    def _application(self, amount, user=None):
        return (
            self.env["customer.credit.application"]
            .with_user(user or self.salesperson)
            .create(
                {"partner_id": self.customer.id, "requested_limit": amount, "justification": "Bigger season"}
            )
        )

    def test_salesperson_applies_controller_approves(self):
        application = self._application(5000.0)
        application.action_submit()
        self.assertEqual(application.state, "submitted")
        self.assertEqual(application.current_limit, 1000.0)
        self.assertIn(self.controller, application.activity_ids.user_id)
        for attempt in (
            application.action_approve,
            lambda: application.write({"state": "approved"}),
            lambda: application.write({"requested_limit": 9000.0}),
        ):
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                attempt()
        application.with_user(self.controller).action_approve()
        self.assertEqual(application.state, "approved")
        self.assertEqual(self.customer.sudo().with_company(self.company).credit_limit, 5000.0)
        self.assertEqual(self.customer.credit_limit_date_end, application.date_end)
        self.assertFalse(application.activity_ids)

    def test_second_level_above_amount(self):
        self.company.customer_credit_second_level_amount = 10000.0
        application = self._application(20000.0)
        application.action_submit()
        application.with_user(self.controller).action_approve()
        self.assertEqual(application.state, "submitted")
        self.assertEqual(application.first_approver_id, self.controller)
        with self.assertRaises(AccessError):
            application.with_user(self.controller).action_approve()
        application.with_user(self.credit_manager).action_approve()
        self.assertEqual(application.state, "approved")
        self.assertEqual(self.customer.sudo().with_company(self.company).credit_limit, 20000.0)

    def test_bad_input(self):
        with self.assertRaisesRegex(ValidationError, "杭州华东医药批发有限公司"):
            self._application(-1.0)
        application = self._application(100.0)
        application.action_submit()
        with self.assertRaisesRegex(UserError, "rejection reason"):
            application.with_user(self.controller).action_reject()
        application.with_user(self.controller).rejection_reason = "No guarantees"
        application.with_user(self.controller).action_reject()
        self.assertEqual(application.state, "rejected")
        self.assertEqual(self.customer.sudo().with_company(self.company).credit_limit, 1000.0)
