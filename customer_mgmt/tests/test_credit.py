from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged
from odoo.tools import SQL

from ..models.account_move import AccountMove
from .common import CustomerMgmtCase


class CreditCase(CustomerMgmtCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.controller = cls._new_user("cm_credit", "customer_mgmt.group_credit_controller")
        cls.credit_manager = cls._new_user("cm_credit_mgr", "customer_mgmt.group_credit_manager")
        cls.accountant = cls._new_user(
            "cm_accountant", "account.group_account_invoice,base.group_partner_manager"
        )
        cls.customer.sudo().with_company(cls.company).credit_limit = 1000.0

    def _block(self, **values):
        self.company.write({"customer_credit_control": "block", **values})

    def _order(self, amount, partner=None, currency=None, user=None):
        pricelist = currency and self.env["product.pricelist"].create(
            {"name": currency.name, "currency_id": currency.id}
        )
        return (
            self.env["sale.order"]
            .with_user(user or self.env.user)
            .create(
                {
                    "partner_id": (partner or self.customer).id,
                    **({"pricelist_id": pricelist.id} if pricelist else {}),
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product_a.id,
                                "product_uom_qty": 1,
                                "price_unit": amount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        )

    def _hold(self, partner=None, reason="Unpaid since March"):
        (partner or self.customer).with_user(self.controller)._credit_hold(reason)


@tagged("post_install", "-at_install")
class TestCreditExposure(CreditCase):
    def test_figures_readable_by_sales_credit_and_accounting_only(self):
        self._post_move(self.customer, "2026-01-10", 700.0)
        employee = self._new_user("cm_employee", "base.group_user")
        with self.assertRaises(AccessError):
            self.customer.with_user(employee).read(["credit_exposure"])
        for user in (self.salesperson, self.controller, self.accountant):
            self.assertEqual(
                self.customer.with_user(user).read(["credit_exposure"])[0]["credit_exposure"], 700.0
            )

    def test_exposure_counts_receivables_drafts_and_orders_in_company_currency(self):
        invoice = self._post_move(self.customer, "2026-01-10", 1000.0)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 300.0, "payment_date": "2026-01-20"})._create_payments()
        eur = self.setup_other_currency("EUR", rates=[("2016-01-01", 2.0)])
        self._post_move(self.customer, "2026-01-10", 400.0, currency=eur)  # 200 in company currency
        draft = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_line_ids": [
                    Command.create({"product_id": self.product_a.id, "price_unit": 150.0, "tax_ids": []})
                ],
            }
        )
        order = self._order(500.0, currency=eur)  # 250 in company currency
        order.action_confirm()
        contact = self.env["res.partner"].create({"name": "采购部", "parent_id": self.customer.id})
        self._order(60.0, partner=contact).action_confirm()
        partner = self.customer
        self.assertEqual(partner.credit_receivable, 700.0 + 200.0)
        self.assertEqual(partner.credit_draft_invoices, 150.0)
        self.assertEqual(partner.credit_uninvoiced_orders, 250.0 + 60.0)
        self.assertEqual(partner.credit_exposure, 900.0 + 150.0 + 310.0)
        self.assertEqual(partner.credit_available, 1000.0 - 1360.0)
        self.assertTrue(partner.credit_over_limit)
        self.assertEqual(contact.credit_exposure, partner.credit_exposure)
        # Invoicing the order moves its amount from orders to draft invoices, not twice.
        order._create_invoices()
        partner.invalidate_recordset()
        self.assertEqual(partner.credit_uninvoiced_orders, 60.0)
        self.assertEqual(partner.credit_exposure, 1360.0)
        draft.button_cancel()
        partner.invalidate_recordset()
        self.assertEqual(partner.credit_exposure, 1210.0)

    def test_overdue_amount_and_days(self):
        today = fields.Date.today()
        self._post_move(self.customer, today - relativedelta(days=45), 800.0)
        self._post_move(self.customer, today - relativedelta(days=10), 100.0)
        self._post_move(self.customer, today, 50.0)
        self.assertEqual(self.customer.credit_overdue_amount, 900.0)
        self.assertEqual(self.customer.credit_overdue_days, 45)

    def test_confirmation_check_reads_the_figures_of_the_customer(self):
        """The check runs the figures' statement from a database function:
        both give the same figures, the default limit included."""
        today = fields.Date.today()
        invoice = self._post_move(self.customer, today - relativedelta(days=40), 1000.0)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 300.0, "payment_date": today})._create_payments()
        self._post_move(self.customer, today - relativedelta(days=5), 80.0, move_type="out_refund")
        self._post_move(self.customer, today, 50.0, post=False)
        eur = self.setup_other_currency("EUR", rates=[("2016-01-01", 2.0)])
        self._order(500.0, currency=eur).action_confirm()
        contact = self.env["res.partner"].create({"name": "财务部", "parent_id": self.customer_b.id})
        self._post_move(contact, today - relativedelta(days=3), 90.0)
        self.env["ir.default"].set("res.partner", "credit_limit", 777.0, company_id=self.company.id)
        orders = self._order(10.0) + self._order(20.0, partner=contact)

        partners = self.env["res.partner"]
        checked = partners._credit_check_figures(self.company, orders)
        figures = (self.customer + self.customer_b)._credit_figures(
            self.company, exclude_order_ids=orders.ids
        )
        self.assertEqual(checked[self.customer.id].pop("order_ids"), [orders[0].id])
        self.assertEqual(checked[self.customer_b.id].pop("order_ids"), [orders[1].id])
        for figure in figures.values():
            figure.pop("order_ids")
        self.assertEqual(checked, figures)
        self.assertEqual(
            figures[self.customer.id],
            {
                "limit": 1000.0,
                "hold": False,
                "receivable": 700.0 - 80.0,
                "draft_invoices": 50.0,
                "orders": 250.0,
                "exposure": 620.0 + 50.0 + 250.0,
                "overdue_amount": 700.0,
                "overdue_days": 40,
            },
        )
        self.assertEqual(figures[self.customer_b.id]["limit"], 777.0)
        self.assertEqual(figures[self.customer_b.id]["exposure"], 90.0)

    def test_search_over_limit(self):
        self._post_move(self.customer, "2026-01-10", 1000.0)
        over = self.env["res.partner"].search([("credit_over_limit", "=", True)])
        self.assertNotIn(self.customer, over)
        self._post_move(self.customer, "2026-01-11", 0.01)
        over = self.env["res.partner"].search([("credit_over_limit", "=", True)])
        self.assertIn(self.customer, over)
        self.assertNotIn(self.customer_b, over)
        self.assertIn(self.customer_b, self.env["res.partner"].search([("credit_over_limit", "!=", True)]))

    def test_confirmation_check_costs_constant_queries(self):
        self._block()
        for day in range(5):
            self._post_move(self.customer, f"2026-01-{day + 1:02d}", 1.0)
        self.customer.sudo().with_company(self.company).credit_limit = 1e9

        def confirm(warm_up=False):
            order = self._order(10.0)
            self.env.flush_all()
            self.env.invalidate_all()
            if warm_up:  # fills the registry caches (access rules)
                order._credit_check_confirmation()
                return
            # Cold record caches: order, company, currency, and one statement that
            # locks the customer and reads its exposure, limit and hold.
            with self.assertQueryCount(4):
                order._credit_check_confirmation()

        confirm(warm_up=True)
        confirm()
        # 495 more open receivable lines, copied in SQL so the test stays quick.
        line = self.env["account.move.line"].search(
            [("partner_id", "=", self.customer.id), ("account_id.account_type", "=", "asset_receivable")],
            limit=1,
        )
        columns = [
            name for name, field in line._fields.items() if field.store and field.column_type and name != "id"
        ]
        column_sql = SQL(", ").join(SQL.identifier(name) for name in columns)
        self.env.cr.execute(
            SQL(
                "INSERT INTO account_move_line (%s) "
                "SELECT %s FROM account_move_line, generate_series(1, 495) WHERE id = %s",
                column_sql,
                column_sql,
                line.id,
            )
        )
        self.assertEqual(
            self.env["account.move.line"].search_count(
                [
                    ("partner_id", "=", self.customer.id),
                    ("reconciled", "=", False),
                    ("account_id.account_type", "=", "asset_receivable"),
                ]
            ),
            500,
        )
        confirm()


@tagged("post_install", "-at_install")
class TestCreditEnforcement(CreditCase):
    def test_off_mode_changes_nothing(self):
        self.customer.sudo().write({"credit_hold": True, "credit_hold_reason": "Old debts"})
        self._post_move(self.customer, "2026-01-10", 5000.0)
        order = self._order(3000.0, user=self.salesperson)
        self.assertFalse(order.partner_credit_warning)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        # Odoo's own credit limit flag is untouched: accountants still set limits themselves.
        self.customer.with_user(self.accountant).credit_limit = 2000.0
        self.assertEqual(self.customer.sudo().credit_limit, 2000.0)

    def test_new_customer_has_no_figures_yet(self):
        card = Form(self.env["res.partner"], view="customer_mgmt.res_partner_view_form_customer")
        card.name = "新客户有限公司"
        self.assertEqual((card.credit_exposure, card.credit_available, card.credit_overdue_days), (0, 0, 0))
        self.assertEqual(card.save().credit_exposure, 0)

    def test_posting_runs_only_odoo_queries_while_off(self):
        invoices = [self._post_move(self.customer, "2026-01-10", 10.0, post=False) for _i in range(3)]
        invoices[0].action_post()  # warms the caches
        before = self.env.cr.sql_log_count
        # Odoo's own posting: the classes after ours in the model's inheritance chain.
        chain = type(invoices[1]).__mro__
        odoo_post = next(cls._post for cls in chain[chain.index(AccountMove) + 1 :] if "_post" in vars(cls))
        odoo_post(invoices[1])
        self.env.flush_all()
        odoo_queries = self.env.cr.sql_log_count - before
        with self.assertQueryCount(odoo_queries):
            invoices[2]._post()
            self.env.flush_all()
        self.assertEqual(invoices[2].state, "posted")

    def test_over_limit_refused_by_every_route(self):
        self._block()
        self._post_move(self.customer, "2026-01-10", 600.0)
        small = self._order(300.0, user=self.salesperson)
        big = self._order(500.0, user=self.salesperson)
        as_sales = (small | big).with_user(self.salesperson)
        with self.assertRaisesRegex(UserError, "杭州华东医药批发有限公司") as refusal:
            as_sales.action_confirm()
        message = str(refusal.exception)
        # The exposure counts the orders of the same call confirmed before it.
        for figure in ("900.00", "500.00", "1,000.00"):
            self.assertIn(figure, message)
        self.assertIn(big.name, message)
        self.assertEqual((small | big).mapped("state"), ["draft", "draft"])
        with self.assertRaises(UserError):
            big.with_user(self.salesperson).write({"state": "sale"})
        # A context that JSON-RPC can send does not pass for "already checked".
        with self.assertRaises(UserError):
            big.with_user(self.salesperson).with_context(
                customer_mgmt_credit_checked=[big.id]
            ).action_confirm()
        with self.assertRaises(UserError):
            self.env["sale.order"].with_user(self.salesperson).create(
                {
                    "partner_id": self.customer.id,
                    "state": "sale",
                    "order_line": [
                        Command.create({"product_id": self.product_a.id, "price_unit": 900.0, "tax_ids": []})
                    ],
                }
            )
        small.with_user(self.salesperson).action_confirm()
        self.assertEqual(small.state, "sale")
        # Now the big one would also go over with the small one counted.
        big.order_line.price_unit = 100.01
        with self.assertRaises(UserError):
            big.with_user(self.salesperson).action_confirm()
        big.order_line.price_unit = 100.0
        big.with_user(self.salesperson).action_confirm()
        self.assertEqual(big.state, "sale")

    def test_invoice_address_decides(self):
        self._block()
        self.customer_b.sudo().with_company(self.company).credit_limit = 10.0
        order = self._order(100.0)
        order.partner_invoice_id = self.customer_b
        with self.assertRaisesRegex(UserError, "广州广药医药有限公司"):
            order.action_confirm()

    def test_confirmation_judges_the_written_values(self):
        """A held invoice address or a bigger order written together with the
        state is judged as written, not as the order was before."""
        self._block()
        self._hold(self.customer_b)
        order = self._order(10.0, user=self.salesperson)
        for vals in (
            {"state": "sale", "partner_invoice_id": self.customer_b.id},
            {
                "state": "sale",
                "order_line": [Command.create({"product_id": self.product_a.id, "price_unit": 5000.0})],
            },
        ):
            with self.assertRaises(UserError), self.env.cr.savepoint():
                order.with_user(self.salesperson).write(vals)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.partner_invoice_id, self.customer)
        self.assertEqual(len(order.order_line), 1)

    def test_hold_blocks_and_one_time_release(self):
        self._block()
        self._hold()
        order = self._order(10.0, user=self.salesperson)
        with self.assertRaisesRegex(UserError, "on credit hold"):
            order.with_user(self.salesperson).action_confirm()
        for attempt in (
            lambda: order.with_user(self.salesperson)._credit_release_once("please"),
            lambda: order.with_user(self.salesperson).write({"credit_release_date": fields.Datetime.now()}),
            lambda: self.customer.with_user(self.salesperson)._credit_release("paid"),
            lambda: self.customer.with_user(self.manager).write({"credit_hold": False}),
            lambda: order.with_user(self.salesperson).action_credit_release_once(),
        ):
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                attempt()
        self.assertTrue(self.customer.credit_hold)
        wizard = Form(
            self.env["customer.credit.action.wizard"]
            .with_user(self.controller)
            .with_context(default_action="release_order", default_order_id=order.id)
        )
        wizard.reason = "Customer paid by bank transfer today"
        wizard.save().action_apply()
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        log = self.customer.credit_hold_log_ids
        self.assertEqual(log.mapped("action"), ["order_release", "hold"])
        self.assertEqual(log[0].order_id, order)
        self.assertEqual(log[0].user_id, self.controller)
        # The release covers that order's amount only.
        other = self._order(10.0)
        other.with_user(self.controller)._credit_release_once("once")
        other.order_line.price_unit = 20.0
        with self.assertRaises(UserError):
            other.action_confirm()

    def test_request_approval_then_release(self):
        self._block()
        self._hold()
        order = self._order(10.0, user=self.salesperson)
        order.with_user(self.salesperson).action_credit_request_approval()
        self.assertTrue(order.credit_approval_requested)
        activity = order.activity_ids
        self.assertIn(self.controller, activity.user_id)
        order.with_user(self.controller)._credit_release_once("approved")
        self.assertFalse(order.activity_ids)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_batch_confirm_reports_blocked(self):
        self._block()
        self._hold(self.customer_b)
        good = self._order(100.0)
        held = self._order(100.0, partner=self.customer_b)
        over = self._order(2000.0)
        action = (good | held | over).action_confirm_credit_checked()
        self.assertEqual(good.state, "sale")
        self.assertEqual((held | over).mapped("state"), ["draft", "draft"])
        self.assertIn(held.name, action["params"]["message"])
        self.assertIn(over.name, action["params"]["message"])
        self.assertNotIn(good.name, action["params"]["message"])
        self.assertTrue(held.credit_block_reason)

    def test_portal_confirmation_waits_for_credit(self):
        self._block()
        self._hold()
        portal = self._new_user("cm_portal", "base.group_portal")
        order = self._order(10.0)
        order.with_user(portal).sudo().action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertIn("credit hold", order.credit_block_reason)
        self.assertTrue(order.credit_approval_requested)
        self.assertIn(self.controller, order.activity_ids.user_id)

    def test_warn_mode_shows_figures_and_lets_through(self):
        self.company.customer_credit_control = "warn"
        self._post_move(self.customer, "2026-01-10", 900.0)
        order = self._order(300.0)
        self.assertIn("900.00", order.partner_credit_warning)
        self.assertIn("1,000.00", order.partner_credit_warning)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_invoice_checkpoint(self):
        self._block()
        self._hold()
        self._post_move(self.customer, "2026-01-10", 10.0)  # checkpoint off by default
        self.company.customer_credit_check_invoice = True
        with self.assertRaisesRegex(UserError, "cannot be posted"):
            self._post_move(self.customer, "2026-01-10", 10.0)

    def test_credit_limit_changes_through_controllers_once_on(self):
        self._block()
        with self.assertRaises(AccessError):
            self.customer.with_user(self.accountant).credit_limit = 5000.0
        self.customer.with_user(self.controller).credit_limit = 5000.0
        self.assertEqual(self.customer.sudo().credit_limit, 5000.0)
        with self.assertRaises(ValidationError):
            self.company.customer_credit_overdue_days = -1


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
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                attempt()
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
