from datetime import timedelta
from unittest.mock import patch

from odoo import fields
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
            lambda: application.write({"requested_limit": 9000.0}),
        ):
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                attempt()
        # the state is nobody's to write: bad data, not a matter of rights
        with self.assertRaisesRegex(UserError, "with their buttons") as refusal, self.env.cr.savepoint():
            application.write({"state": "approved"})
        self.assertIs(type(refusal.exception), UserError)
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

    # ------------------------------------------------------------------
    # The workflow pattern: check, do, hook; activities; subtypes
    # ------------------------------------------------------------------
    def _activities(self, application):
        """All activities of ``application``, done (archived) ones included."""
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search([("res_model", "=", application._name), ("res_id", "=", application.id)])
        )

    def _tracked(self, record):
        """``record`` with tracking on (the test case turns it off, and a
        record created without tracking is not tracked before the commit)."""
        self.env.flush_all()
        self.env.cr.flush()
        return record.with_context(tracking_disable=False, mail_notrack=False)

    def test_steps_and_approval_activity(self):
        application = self._tracked(self._application(5000.0))
        undecided = {"approver_id": False, "approval_date": False, "first_approver_id": False}
        self.assertRecordValues(application, [{"state": "draft", "current_limit": 0.0, **undecided}])
        self.assertIs(application.action_submit(), True)
        self.assertRecordValues(application, [{"state": "submitted", "current_limit": 1000.0, **undecided}])
        activity = self._activities(application).filtered(lambda a: a.user_id == self.controller)
        self.assertRecordValues(
            activity, [{"active": True, "summary": "Approve credit application", "automated": True}]
        )
        self.assertIs(application.with_user(self.controller).action_approve(), True)
        self.assertRecordValues(
            application,
            [{"state": "approved", "approver_id": self.controller.id, "first_approver_id": False}],
        )
        self.assertTrue(application.approval_date)
        self.assertRecordValues(
            activity, [{"active": False, "feedback": f"Decided by {self.controller.name}"}]
        )
        self.assertFalse(application.activity_ids)
        self.assertEqual(
            self._last_tracking_subtype(application),
            self.env.ref("customer_mgmt.mt_credit_application_approved"),
        )

    def test_second_approval_activities(self):
        self.company.customer_credit_second_level_amount = 10000.0
        application = self._application(20000.0)
        application.action_submit()
        first = application.activity_ids
        self.assertIn(self.controller, first.user_id)
        application.with_user(self.controller).action_approve()
        self.assertRecordValues(
            application,
            [{"state": "submitted", "first_approver_id": self.controller.id, "approver_id": False}],
        )
        self.assertTrue(application.first_approval_date)
        self.assertFalse(first.filtered("active"), "the controllers' approval is done")
        second = application.activity_ids
        self.assertIn(self.credit_manager, second.user_id, "the credit managers give the second approval")
        self.assertNotIn(self.controller, second.user_id)
        application.with_user(self.credit_manager).action_approve()
        self.assertRecordValues(application, [{"state": "approved", "approver_id": self.credit_manager.id}])
        self.assertFalse(second.filtered("active"))

    def test_rejection_posts_the_template_and_reset_clears_the_decision(self):
        application = self._tracked(self._application(100.0))
        application.action_submit()
        controller = application.with_user(self.controller)
        controller.rejection_reason = "No guarantees"
        self.assertIs(controller.action_reject(), True)
        self.assertRecordValues(application, [{"state": "rejected", "approver_id": self.controller.id}])
        self.assertTrue(application.approval_date)
        self.assertFalse(application.activity_ids, "the approval activity is done")
        rejection = application.message_ids.filtered(
            lambda m: "Credit application rejected" in (m.body or "")
        )
        self.assertRecordValues(
            rejection,
            [{"subtype_id": self.env.ref("mail.mt_comment").id, "author_id": self.controller.partner_id.id}],
        )
        self.assertIn("No guarantees", rejection.body)
        self.assertIn("100.00", rejection.body)
        self.assertEqual(
            self._last_tracking_subtype(application),
            self.env.ref("customer_mgmt.mt_credit_application_rejected"),
        )
        self.assertIs(application.action_reset_draft(), True)
        self.assertRecordValues(
            application,
            [
                {
                    "state": "draft",
                    "approver_id": False,
                    "approval_date": False,
                    "first_approver_id": False,
                    "first_approval_date": False,
                }
            ],
        )
        self.assertEqual(
            self._last_tracking_subtype(application),
            self.env.ref("customer_mgmt.mt_credit_application_reset"),
        )
        application.action_submit()
        self.assertEqual(application.state, "submitted", "a reset application goes round again")

    def test_reset_clears_a_first_approval(self):
        self.company.customer_credit_second_level_amount = 10000.0
        application = self._application(20000.0)
        application.action_submit()
        application.with_user(self.controller).action_approve()
        application.with_user(self.controller).rejection_reason = "Guarantees expired"
        application.with_user(self.credit_manager).action_reject()
        application.action_reset_draft()
        self.assertRecordValues(
            application,
            [
                {
                    "state": "draft",
                    "first_approver_id": False,
                    "first_approval_date": False,
                    "approver_id": False,
                }
            ],
        )

    def test_refused_step_leaves_the_application_unchanged(self):
        application = self._application(5000.0)
        with self.assertRaisesRegex(UserError, "is Draft") as refusal:
            application.with_user(self.controller).action_approve()
        self.assertIs(type(refusal.exception), UserError, "a wrong state is not a matter of rights")
        application.action_submit()
        unchanged = [{"state": "submitted", "approver_id": False, "approval_date": False}]
        with self.assertRaises(AccessError):
            application.action_reject()  # the salesperson is no credit controller
        application.sudo().date_end = fields.Date.today() - timedelta(days=1)
        with self.assertRaisesRegex(UserError, "validity date"):
            application.with_user(self.controller).action_approve()
        self.assertRecordValues(application, unchanged)
        self.assertTrue(application.activity_ids.filtered("active"), "still waiting for a decision")
        with self.assertRaisesRegex(UserError, "is Submitted"):
            application.action_reset_draft()
        for forged in ({"approver_id": self.controller.id}, {"first_approval_date": fields.Datetime.now()}):
            with self.assertRaisesRegex(UserError, "with their buttons") as refusal, self.env.cr.savepoint():
                application.with_user(self.controller).write(forged)
            self.assertIs(type(refusal.exception), UserError)
        self.assertRecordValues(application, unchanged)

    def test_steps_call_their_hook_once_done(self):
        Application = self.registry["customer.credit.application"]
        application = self._application(5000.0)
        application.action_submit()
        seen = []
        with patch.object(
            Application, "_action_approve", autospec=True, side_effect=lambda recs: seen.append(recs.state)
        ) as hook:
            with self.assertRaises(AccessError):
                application.action_approve()
            hook.assert_not_called()
            application.with_user(self.controller).action_approve()
        self.assertEqual(seen, ["approved"], "the hook runs after the approval")
