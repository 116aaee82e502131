from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .test_support import SupportCase


@tagged("post_install", "-at_install")
class TestSupportCosts(SupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor = cls.env["res.partner"].create({"name": "杭州广告传媒有限公司", "is_company": True})
        cls.employee = cls.env["hr.employee"].sudo().create({"name": "张伟", "user_id": cls.salesperson.id})

    def _bill_line(self, amount=800.0, move_type="in_invoice", company=None, post=True):
        company = company or self.company
        bill = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": self.vendor.id,
                    "invoice_date": "2026-03-10",
                    "date": "2026-03-10",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.product_a.id,
                                "name": "灯箱广告",
                                "price_unit": amount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        )
        if post:
            bill.action_post()
        return bill.invoice_line_ids

    def _expense(self, amount=300.0, company=None, employee=None):
        company = company or self.company
        return (
            self.env["hr.expense"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "name": "促销员差旅",
                    "employee_id": (employee or self.employee).id,
                    "company_id": company.id,
                    "total_amount_currency": amount,
                    "date": "2026-03-12",
                }
            )
        )

    def test_no_cost_before_approval(self):
        activity = self._plan()
        with self.assertRaisesRegex(UserError, "not approved yet"):
            self._cost(activity)
        with self.assertRaisesRegex(UserError, "not approved yet"):
            activity.write({"cost_ids": [Command.create({"description": "提前花钱", "amount": 10.0})]})
        activity.action_submit()
        with self.assertRaisesRegex(UserError, "not approved yet"):
            self._cost(activity, user=self.manager)
        self.assertFalse(activity.sudo().cost_ids)

    def test_costs_of_evaluated_activity_are_frozen(self):
        activity = self._approved()
        cost = self._cost(activity, 100.0)
        activity.action_done()
        self._cost(activity, 50.0)  # still recorded once done
        activity.write({"evaluation": "达到预期", "rating": "4"})
        activity.action_evaluate()
        for user in (self.salesperson, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaisesRegex(UserError, "costs are frozen"):
                    self._cost(activity, 10.0, user=user)
                with self.assertRaisesRegex(UserError, "costs are frozen"):
                    cost.with_user(user).amount = 1.0
                with self.assertRaisesRegex(UserError, "costs are frozen"):
                    cost.with_user(user).unlink()
                with self.assertRaises(UserError):  # the salesperson: the evaluated activity is frozen too
                    activity.with_user(user).write({"cost_ids": [Command.unlink(cost.id)]})
        self.assertEqual(activity.amount_cost, 150.0)

    def test_amounts(self):
        activity = self._approved()
        for amount in (0.0, -10.0):
            with self.subTest(amount=amount), self.assertRaisesRegex(ValidationError, "must be positive"):
                self._cost(activity, amount)
        cost = self._cost(activity, 10.0)
        with self.assertRaisesRegex(ValidationError, "must be positive"):
            cost.amount = -5.0

    def test_cost_stays_on_its_activity(self):
        activity, other = self._approved(), self._approved()
        cost = self._cost(activity)
        with self.assertRaisesRegex(UserError, "stays on the activity"):
            cost.write({"activity_id": other.id})

    def test_vendor_bill_line(self):
        activity = self._approved()
        line = self._bill_line(800.0)
        cost = self.Cost.with_user(self.manager).create({"activity_id": activity.id, "move_line_id": line.id})
        self.assertRecordValues(
            cost, [{"amount": 800.0, "description": "灯箱广告", "source_reference": line.move_id.name}]
        )
        self.assertEqual(activity.amount_cost, 800.0)
        # a part of the line may be charged to the activity, never more than the line
        cost.amount = 500.0
        with self.assertRaisesRegex(ValidationError, "is more than"):
            cost.amount = 801.0

        # counted once: on another activity, twice in one batch, or by changing another cost
        other = self._approved()
        with self.assertRaisesRegex(ValidationError, "already a cost of support activity"):
            self.Cost.create({"activity_id": other.id, "move_line_id": line.id})
        line_2 = self._bill_line(100.0)
        with self.assertRaisesRegex(ValidationError, "more than once"):
            self.Cost.create([{"activity_id": other.id, "move_line_id": line_2.id}] * 2)
        typed = self._cost(other, 50.0)
        with self.assertRaisesRegex(ValidationError, "already a cost of support activity"):
            typed.write({"move_line_id": line.id})
        # the database holds it too, should two users link the line at the same time
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env.execute_query(
                SQL("UPDATE customer_support_cost SET move_line_id = %s WHERE id = %s", line.id, typed.id)
            )

    def test_refused_bill_lines(self):
        activity = self._approved()
        other_company = self.setup_other_company(name="上海分公司")["company"]
        self.env.user.company_ids = [Command.link(other_company.id)]
        refused = {
            "draft bill": self._bill_line(post=False),
            "customer invoice": self._bill_line(move_type="out_invoice"),
            "other company's bill": self._bill_line(company=other_company),
        }
        for what, line in refused.items():
            with self.subTest(what), self.assertRaises(ValidationError):
                self.Cost.with_user(self.manager).create(
                    {"activity_id": activity.id, "move_line_id": line.id, "amount": 10.0}
                )
        # the tax or payable line of a bill is no cost
        payable = self._bill_line().move_id.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )
        with self.assertRaisesRegex(ValidationError, "posted vendor bill"), self.cr.savepoint():
            self.Cost.create({"activity_id": activity.id, "move_line_id": payable.id, "amount": 10.0})
        # a salesperson cannot slip it in either
        with self.assertRaisesRegex(ValidationError, "belongs to"), self.cr.savepoint():
            self.Cost.with_user(self.salesperson).create(
                {
                    "activity_id": activity.id,
                    "move_line_id": refused["other company's bill"].id,
                    "amount": 5.0,
                }
            )
        self.assertFalse(self.Cost.search([("activity_id", "=", activity.id)]))

    def test_activity_moved_to_another_company_rechecks_its_bills(self):
        activity = self._approved()
        self.Cost.create({"activity_id": activity.id, "move_line_id": self._bill_line().id})
        other_company = self.setup_other_company(name="上海分公司")["company"]
        self.env.user.company_ids = [Command.link(other_company.id)]
        with self.assertRaisesRegex(ValidationError, "belongs to"):
            activity.with_user(self.env.user).write({"company_id": other_company.id})

    def test_vendor_refund_is_a_negative_cost(self):
        activity = self._approved()
        refund = self._bill_line(200.0, move_type="in_refund")
        cost = self.Cost.create({"activity_id": activity.id, "move_line_id": refund.id})
        self.assertEqual(cost.amount, -200.0)
        with self.assertRaisesRegex(ValidationError, "negative cost"):
            cost.amount = 200.0

    def test_expense(self):
        activity = self._approved()
        expense = self._expense(300.0)
        cost = self.Cost.with_user(self.salesperson).create(
            {"activity_id": activity.id, "expense_id": expense.id}
        )
        self.assertRecordValues(cost, [{"amount": 300.0, "description": "促销员差旅"}])
        self.assertEqual(activity.amount_cost, 300.0)
        with self.assertRaisesRegex(ValidationError, "already a cost of support activity"):
            self.Cost.create({"activity_id": self._approved().id, "expense_id": expense.id})
        with self.assertRaisesRegex(ValidationError, "not both"):
            self.Cost.create(
                {
                    "activity_id": activity.id,
                    "expense_id": self._expense(10.0).id,
                    "move_line_id": self._bill_line(10.0).id,
                    "amount": 10.0,
                }
            )
        other_company = self.setup_other_company(name="上海分公司")["company"]
        self.env.user.company_ids = [Command.link(other_company.id)]
        employee = (
            self.env["hr.employee"]
            .sudo()
            .with_company(other_company)
            .create({"name": "李娜", "company_id": other_company.id})
        )
        with self.assertRaisesRegex(ValidationError, "belongs to"):
            self.Cost.create(
                {"activity_id": activity.id, "expense_id": self._expense(10.0, other_company, employee).id}
            )

    def test_over_budget_follows_the_costs(self):
        activity = self._approved(amount_budget=1000.0)
        cost = self._cost(activity, 999.0)
        self.assertFalse(activity.is_over_budget)
        cost.amount = 1000.01
        self.assertTrue(activity.is_over_budget)
        self.assertEqual(
            self.Activity.search([("is_over_budget", "=", True), ("id", "=", activity.id)]), activity
        )
        activity.with_user(self.manager).amount_budget = 1200.0
        self.assertFalse(activity.is_over_budget)
        cost.unlink()
        self.assertRecordValues(activity, [{"amount_cost": 0.0, "is_over_budget": False}])
