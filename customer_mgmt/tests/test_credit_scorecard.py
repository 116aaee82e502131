from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CreditCase


@tagged("post_install", "-at_install")
class TestCreditScorecard(CreditCase):
    def test_payment_history_and_grade(self):
        today = fields.Date.today()
        invoice = self._post_move(self.customer, today - relativedelta(days=40), 12000.0)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": today - relativedelta(days=30)})._create_payments()
        evaluation = (
            self.env["customer.credit.evaluation"]
            .with_user(self.controller)
            .create({"partner_id": self.customer.id})
        )
        self.assertEqual(len(evaluation.line_ids), 6)
        self.assertEqual(evaluation.paid_invoice_count, 1)
        self.assertEqual(evaluation.avg_days_late, 10.0)
        self.assertEqual(evaluation.avg_days_to_pay, 10.0)
        payment = evaluation.line_ids.filtered(lambda line: line.computed == "payment_history")
        self.assertEqual(payment.score, 80.0)
        for line in evaluation.line_ids - payment:
            line.score = 90.0
        # 0.75 * 90 + 0.25 * 80 = 87.5 -> AA, two months of sales.
        self.assertAlmostEqual(evaluation.total_score, 87.5)
        self.assertEqual(evaluation.credit_grade_id, self.env.ref("customer_mgmt.credit_grade_aa"))
        self.assertEqual(evaluation.monthly_sales, 1000.0)
        self.assertEqual(evaluation.suggested_limit, 2000.0)
        with self.assertRaises(AccessError):
            evaluation.with_user(self.salesperson).action_confirm()
        evaluation.action_confirm()
        self.assertEqual(self.customer.credit_grade_id, evaluation.credit_grade_id)

    def test_weights_must_total_100(self):
        evaluation = (
            self.env["customer.credit.evaluation"]
            .with_user(self.controller)
            .create({"partner_id": self.customer.id})
        )
        evaluation.line_ids[0].weight = 5.0
        with self.assertRaisesRegex(UserError, "add up to"):
            evaluation.with_user(self.controller).action_confirm()
        self.assertEqual(evaluation.state, "draft")

    def test_figures_and_confirmed_scorecards_are_locked(self):
        evaluation = (
            self.env["customer.credit.evaluation"]
            .with_user(self.controller)
            .create({"partner_id": self.customer.id})
        )
        payment = evaluation.line_ids.filtered("computed")
        for attempt in (
            lambda: evaluation.write({"monthly_sales": 1e9}),
            lambda: evaluation.write({"state": "done"}),
            lambda: (
                self.env["customer.credit.evaluation"]
                .with_user(self.controller)
                .create({"partner_id": self.customer.id, "state": "done"})
            ),
        ):
            with self.assertRaises(UserError) as refusal, self.env.cr.savepoint():
                attempt()
            self.assertIs(type(refusal.exception), UserError, "bad data, not a matter of rights")
        with self.assertRaisesRegex(UserError, "computed from the customer's payments"):
            payment.with_user(self.controller).score = 100.0
        evaluation.action_confirm()
        self.assertEqual(evaluation.state, "done")
        for attempt in (
            lambda: (evaluation.line_ids - payment)[0].write({"score": 100.0}),
            lambda: evaluation.write({"notes": "<p>Better after all</p>"}),
            evaluation.line_ids[0].unlink,
            evaluation.action_cancel,
        ):
            with self.assertRaisesRegex(UserError, "not a draft"), self.env.cr.savepoint():
                attempt()
        self.assertEqual(evaluation.state, "done")

    def test_urgent_investigation_notifies_controllers(self):
        investigation = (
            self.env["customer.credit.investigation"]
            .with_user(self.salesperson)
            .create(
                {
                    "name": "Owner left the country",
                    "partner_id": self.customer.id,
                    "report_type": "urgent",
                    "findings": "<p>Warehouse closed</p>",
                }
            )
        )
        message = investigation.message_ids.filtered(lambda m: "Urgent" in (m.body or ""))
        self.assertIn(self.controller.partner_id, message.partner_ids)
        self.assertIn(self.controller.partner_id, investigation.message_partner_ids)

    # ------------------------------------------------------------------
    # The workflow pattern: check, do, hook; subtypes
    # ------------------------------------------------------------------
    def _scorecard(self):
        return (
            self.env["customer.credit.evaluation"]
            .with_user(self.controller)
            .create({"partner_id": self.customer.id})
        )

    def test_steps(self):
        confirmed, cancelled = self._scorecard(), self._scorecard()
        self.env.flush_all()
        self.env.cr.flush()  # created without tracking: tracked from the next transaction
        confirmed, cancelled = (
            card.with_context(tracking_disable=False, mail_notrack=False) for card in (confirmed, cancelled)
        )
        self.assertRecordValues(confirmed | cancelled, [{"state": "draft"}, {"state": "draft"}])
        self.assertIs(confirmed.action_confirm(), True)
        self.assertIs(cancelled.action_cancel(), True)
        self.assertRecordValues(confirmed | cancelled, [{"state": "done"}, {"state": "cancel"}])
        self.assertEqual(self.customer.credit_grade_id, confirmed.credit_grade_id)
        self.assertEqual(
            self._last_tracking_subtype(confirmed),
            self.env.ref("customer_mgmt.mt_credit_evaluation_confirmed"),
        )
        self.assertEqual(
            self._last_tracking_subtype(cancelled),
            self.env.ref("customer_mgmt.mt_credit_evaluation_cancelled"),
        )

    def test_refused_step_leaves_the_scorecard_unchanged(self):
        evaluation = self._scorecard()
        grade = self.customer.credit_grade_id
        for step in ("action_confirm", "action_cancel", "action_refresh_figures"):
            with self.assertRaises(AccessError):
                getattr(evaluation.with_user(self.salesperson), step)()
        self.assertRecordValues(evaluation, [{"state": "draft"}])
        self.assertEqual(self.customer.credit_grade_id, grade)
        evaluation.action_cancel()
        with self.assertRaisesRegex(UserError, "not a draft") as refusal:
            evaluation.action_confirm()
        self.assertIs(type(refusal.exception), UserError, "a wrong state is not a matter of rights")
        self.assertRecordValues(evaluation, [{"state": "cancel"}])
        self.assertEqual(self.customer.credit_grade_id, grade)

    def test_confirm_calls_its_hook_once_done(self):
        Evaluation = self.registry["customer.credit.evaluation"]
        evaluation = self._scorecard()
        seen = []
        with patch.object(
            Evaluation, "_action_confirm", autospec=True, side_effect=lambda recs: seen.append(recs.state)
        ) as hook:
            evaluation.line_ids[0].weight += 1
            with self.assertRaisesRegex(UserError, "add up to"):
                evaluation.action_confirm()
            hook.assert_not_called()
            evaluation.line_ids[0].weight -= 1
            evaluation.action_confirm()
        self.assertEqual(seen, ["done"])
