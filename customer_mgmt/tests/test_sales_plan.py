from contextlib import contextmanager
from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged
from odoo.tools import SQL, mute_logger

from .common import CustomerMgmtCase

MARCH = date(2025, 3, 1)


class SalesPlanCase(CustomerMgmtCase):
    """Customers, a contact, a second company and two product categories (a
    parent and its child, and another one) with a product each."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Plan = cls.env["customer.sales.plan"]
        cls.company = cls.env.company
        cls.other_company = cls.setup_other_company(name="上海分公司")["company"]
        cls.contact = cls.env["res.partner"].create({"name": "采购部 王经理", "parent_id": cls.customer.id})
        cls.unassigned = cls.env["res.partner"].create({"name": "温州康宁大药房", "is_company": True})
        Category = cls.env["product.category"]
        cls.categ_drugs = Category.create({"name": "药品"})
        cls.categ_antibiotics = Category.create({"name": "抗生素", "parent_id": cls.categ_drugs.id})
        cls.categ_devices = Category.create({"name": "医疗器械"})
        cls.antibiotic = cls._create_product(name="阿莫西林胶囊", categ_id=cls.categ_antibiotics.id)
        cls.device = cls._create_product(name="血糖仪", categ_id=cls.categ_devices.id)

    @contextmanager
    def assertRefused(self, exception, pattern):
        """``exception`` raised with a message matching ``pattern``, what was
        done in the block rolled back."""
        with self._assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), pattern)

    def _plan(self, user=None, partner=None, month=MARCH, target=1000.0, tracked=False, **vals):
        """A plan created by ``user`` (the manager); with ``tracked``, whose
        changes are tracked from then on, as after the commit of its creation."""
        Plan = self.Plan.with_context(tracking_disable=False, mail_notrack=False) if tracked else self.Plan
        plan = Plan.with_user(user or self.manager).create(
            {"partner_id": (partner or self.customer).id, "month": month, "amount_target": target, **vals}
        )
        if tracked:
            self.env.flush_all()
            self.env.cr.flush()
        return plan

    def _invoice(self, partner, day, lines, move_type="out_invoice", company=None, post=True):
        """An invoice of ``lines`` ((product, amount), untaxed) dated ``day``."""
        move = (
            self.env["account.move"]
            .with_company(company or self.company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": day,
                    "date": day,
                    "invoice_line_ids": [
                        Command.create(
                            {"product_id": product.id, "quantity": 1, "price_unit": amount, "tax_ids": []}
                        )
                        for product, amount in lines
                    ],
                }
            )
        )
        if post:
            move.action_post()
        return move


@tagged("post_install", "-at_install")
class TestSalesPlan(SalesPlanCase):
    # ------------------------------------------------------------------
    # Actuals
    # ------------------------------------------------------------------
    def test_invoiced_counts_the_month_of_the_customer_and_its_contacts_in_its_company(self):
        self._post_move(self.customer, "2025-03-05", 1000.0)
        self._post_move(self.customer, "2025-03-20", 300.0, move_type="out_refund")
        self._post_move(self.contact, "2025-03-10", 500.0)
        self._post_move(self.customer, "2025-03-31", 50.0, post=False)  # draft: not counted
        self._post_move(self.customer, "2025-04-01", 700.0)  # next month
        self._post_move(self.customer, "2025-02-28", 600.0)  # previous month
        self._post_move(self.customer, "2024-03-15", 800.0)  # same month last year
        self._post_move(self.customer, "2024-04-02", 90.0)  # not the same month last year
        self._post_move(self.customer_b, "2025-03-05", 400.0)  # another customer
        self._invoice(self.customer, "2025-03-08", [(self.product_a, 900.0)], company=self.other_company)
        self._post_move(self.customer, "2025-03-03", 200.0, move_type="in_invoice")  # a vendor bill
        plan = self._plan(target=4000.0)
        self.assertRecordValues(
            plan,
            [{"amount_invoiced": 1200.0, "amount_last_year": 800.0, "amount_ordered": 0.0, "progress": 30.0}],
        )
        other = self._plan(user=self.env.user, company_id=self.other_company.id, target=1800.0)
        self.assertRecordValues(other, [{"amount_invoiced": 900.0, "progress": 50.0}])

    def test_invoiced_in_company_currency_untaxed(self):
        eur = self.setup_other_currency("EUR", rates=[("2016-01-01", 2.0)])
        self._post_move(self.customer, "2025-03-05", 1000.0, currency=eur)  # 500 in company currency
        taxed = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": "2025-03-06",
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": self.product_a.id, "price_unit": 100.0, "tax_ids": self.tax_sale_a.ids}
                    )
                ],
            }
        )
        taxed.action_post()
        self.assertGreater(taxed.amount_tax, 0)
        self.assertEqual(self._plan().amount_invoiced, 600.0)

    def test_ordered_counts_confirmed_orders_of_the_month(self):
        self._confirm_order(self.customer, "2025-03-15 10:00:00")
        self._confirm_order(self.contact, "2025-03-02 10:00:00")
        self._confirm_order(self.customer, "2025-04-02 10:00:00")
        self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "date_order": "2025-03-15 10:00:00",
                "order_line": [Command.create({"product_id": self.product_a.id, "product_uom_qty": 5})],
            }
        )  # a quotation
        plan = self._plan()
        self.assertEqual(plan.amount_ordered, 2 * self.product_a.lst_price)
        self.assertEqual(plan.amount_invoiced, 0.0)

    def test_category_lines_count_their_category_and_subcategories(self):
        plan = self._plan(
            target=1000.0,
            line_ids=[
                Command.create({"categ_id": self.categ_drugs.id, "amount_target": 800.0}),
                Command.create({"categ_id": self.categ_devices.id, "amount_target": 200.0}),
            ],
        )
        self._invoice(self.customer, "2025-03-05", [(self.antibiotic, 400.0), (self.device, 50.0)])
        self._invoice(self.contact, "2025-03-25", [(self.device, 100.0)])
        self._invoice(self.customer, "2025-03-26", [(self.antibiotic, 100.0)], move_type="out_refund")
        self._invoice(self.customer, "2025-04-01", [(self.antibiotic, 1000.0)])
        plan.invalidate_recordset()
        plan.line_ids.invalidate_recordset()
        self.assertRecordValues(
            plan.line_ids.sorted(lambda line: line.categ_id.id != self.categ_drugs.id),
            [
                {"categ_id": self.categ_drugs.id, "amount_invoiced": 300.0, "progress": 37.5},
                {"categ_id": self.categ_devices.id, "amount_invoiced": 150.0, "progress": 75.0},
            ],
        )
        self.assertEqual(plan.amount_invoiced, 450.0)

    def test_actuals_summed_by_read_group(self):
        """The pivot and the graph sum the computed actuals by salesperson and month."""
        self._post_move(self.customer, "2025-03-05", 1000.0)
        self._post_move(self.customer, "2025-04-05", 250.0)
        self._post_move(self.customer_b, "2025-03-05", 400.0)
        self._confirm_order(self.customer_b, "2025-03-15 10:00:00")
        self._plan(month=MARCH)
        self._plan(month=date(2025, 4, 1))
        self._plan(partner=self.customer_b, target=500.0)
        self.assertEqual(self.Plan.fields_get(["amount_invoiced"])["amount_invoiced"]["aggregator"], "sum")
        groups = self.Plan.with_user(self.manager)._read_group(
            [("partner_id", "in", (self.customer | self.customer_b).ids)],
            ["user_id", "month:month"],
            ["amount_target:sum", "amount_invoiced:sum", "amount_ordered:sum", "__count"],
        )
        self.assertEqual(
            {(user.login, month.isoformat()): values for user, month, *values in groups},
            {
                ("cm_sales_a", "2025-03-01"): [1000.0, 1000.0, 0.0, 1],
                ("cm_sales_a", "2025-04-01"): [1000.0, 250.0, 0.0, 1],
                ("cm_sales_b", "2025-03-01"): [500.0, 400.0, self.product_a.lst_price, 1],
            },
        )

    def test_new_plan_in_the_form_shows_its_actuals(self):
        """In the form, before it is saved, a plan of a contact on any day of a
        month shows the customer's figures of that month; saved, it is the
        customer's plan of the first day of the month."""
        self._post_move(self.customer, "2025-03-05", 1000.0)
        with Form(self.Plan.with_user(self.salesperson)) as form:
            form.partner_id = self.contact
            form.month = date(2025, 3, 17)
            form.amount_target = 2000.0
            self.assertEqual(form.amount_invoiced, 1000.0)
            self.assertEqual(form.progress, 50.0)
        plan = form.record
        self.assertRecordValues(plan, [{"partner_id": self.customer.id, "month": MARCH, "state": "draft"}])
        self.assertEqual(plan.user_id, self.salesperson)

    # ------------------------------------------------------------------
    # Expected progress
    # ------------------------------------------------------------------
    def test_expected_ratio_counts_the_working_days_elapsed(self):
        ratio = self.Plan._expected_ratio
        # January 2025: 23 working days, from Wednesday 1st to Friday 31st
        self.assertAlmostEqual(ratio(date(2025, 1, 1), date(2025, 1, 1)), 1 / 23)
        self.assertAlmostEqual(ratio(date(2025, 1, 1), date(2025, 1, 15)), 11 / 23)
        self.assertAlmostEqual(ratio("2025-01-20", "2025-01-31"), 1.0)
        # March 2025 starts on a Saturday: nothing is expected over its first weekend
        self.assertEqual(ratio(date(2025, 3, 1), date(2025, 3, 1)), 0.0)
        self.assertEqual(ratio(date(2025, 3, 1), date(2025, 3, 2)), 0.0)
        self.assertAlmostEqual(ratio(date(2025, 3, 1), date(2025, 3, 3)), 1 / 21)
        # a weekend day counts as the Friday before it
        self.assertAlmostEqual(
            ratio(date(2025, 3, 1), date(2025, 3, 8)), ratio(date(2025, 3, 1), date(2025, 3, 7))
        )
        # past and future months
        self.assertEqual(ratio(date(2025, 2, 1), date(2025, 3, 1)), 1.0)
        self.assertEqual(ratio(date(2025, 4, 1), date(2025, 3, 31)), 0.0)

    def test_expected_ratio_follows_the_company_working_schedule(self):
        six_days = self.env["resource.calendar"].create(
            {
                "name": "周一至周六",
                "attendance_ids": [
                    Command.create(
                        {
                            "name": str(day),
                            "dayofweek": str(day),
                            "hour_from": 8,
                            "hour_to": 12,
                            "day_period": "morning",
                        }
                    )
                    for day in range(6)
                ],
            }
        )
        self.other_company.resource_calendar_id = six_days
        # March 2025: 21 weekdays and 5 Saturdays
        self.assertAlmostEqual(self.Plan._expected_ratio(MARCH, date(2025, 3, 1), self.other_company), 1 / 26)
        self.assertEqual(self.Plan._expected_ratio(MARCH, date(2025, 3, 1), self.company), 0.0)

    def test_expected_progress_at_today(self):
        plan = self._plan(month=date(2025, 1, 1))
        for today, expected in (("2025-01-15", 100 * 11 / 23), ("2024-12-31", 0.0), ("2025-02-01", 100.0)):
            with freeze_time(today):
                plan.invalidate_recordset(["expected_progress"])
                self.assertAlmostEqual(plan.expected_progress, expected)

    # ------------------------------------------------------------------
    # Values: month, customer, targets, uniqueness
    # ------------------------------------------------------------------
    def test_month_is_the_first_day_of_the_month(self):
        plan = self._plan(month=date(2025, 3, 17))
        self.assertEqual(plan.month, MARCH)
        plan.month = "2025-05-31"
        self.assertEqual(plan.month, date(2025, 5, 1))
        plan.flush_recordset()
        # nothing writes another day, not even SQL
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute(
                SQL("UPDATE customer_sales_plan SET month = '2025-05-15' WHERE id = %s", plan.id)
            )

    def test_contact_plan_is_the_customer_plan(self):
        plan = self._plan(user=self.salesperson, partner=self.contact)
        self.assertEqual(plan.partner_id, self.customer)
        plan.partner_id = self.contact
        self.assertEqual(plan.partner_id, self.customer)

    def test_negative_targets_refused_naming_the_plan(self):
        with self.assertRefused(ValidationError, f"{self.customer.name} 2025-03.*cannot be negative"):
            self._plan(target=-1.0)
        plan = self._plan()
        with self.assertRefused(ValidationError, "cannot be negative"):
            plan.write(
                {"line_ids": [Command.create({"categ_id": self.categ_drugs.id, "amount_target": -5.0})]}
            )

    def test_category_targets_stay_within_the_plan_target(self):
        plan = self._plan(target=1000.0)
        message = f"{self.customer.name} 2025-03: the category targets add up to"
        with self.assertRefused(ValidationError, message):
            plan.write(
                {
                    "line_ids": [
                        Command.create({"categ_id": self.categ_drugs.id, "amount_target": 800.0}),
                        Command.create({"categ_id": self.categ_devices.id, "amount_target": 300.0}),
                    ]
                }
            )
        plan.write({"line_ids": [Command.create({"categ_id": self.categ_drugs.id, "amount_target": 800.0})]})
        with self.assertRefused(ValidationError, message):
            plan.amount_target = 700.0
        with self.assertRefused(ValidationError, message):
            plan.line_ids.amount_target = 1000.01
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            plan.write(
                {"line_ids": [Command.create({"categ_id": self.categ_drugs.id, "amount_target": 1.0})]}
            )

    def test_one_plan_per_customer_company_and_month(self):
        plan = self._plan()
        for vals in ({}, {"partner_id": self.contact.id, "month": date(2025, 3, 20)}):
            with (
                self.assertRaises(IntegrityError) as caught,
                mute_logger("odoo.sql_db"),
                self.env.cr.savepoint(),
            ):
                self.Plan.create({"partner_id": self.customer.id, "month": MARCH, **vals})
            self.assertEqual(
                self.Plan._sql_error_to_message(caught.exception),
                "A customer has one sales plan per month and company: this customer's plan for that month "
                "already exists.",
            )
        # another month, or another company: another plan
        self._plan(month=date(2025, 4, 1))
        self._plan(user=self.env.user, company_id=self.other_company.id)
        self.assertEqual(self.Plan.search_count([("partner_id", "=", self.customer.id)]), 3)
        self.assertTrue(plan.exists())

    # ------------------------------------------------------------------
    # Workflow and rights
    # ------------------------------------------------------------------
    def test_salesperson_cannot_approve(self):
        plan = self._plan(user=self.salesperson)
        with self.assertRefused(AccessError, "only a sales manager approves them"):
            plan.action_approve()
        for vals in ({"state": "approved"}, {"approver_id": self.salesperson.id}, {"state": "closed"}):
            with self.assertRefused(UserError, "changes only through their buttons"):
                plan.write(vals)
        with self.assertRefused(UserError, "start as drafts"):
            self._plan(user=self.salesperson, month=date(2025, 4, 1), state="approved")
        self.assertEqual(plan.state, "draft")
        # a manager writes the state through the buttons too
        with self.assertRefused(UserError, "changes only through their buttons"):
            plan.with_user(self.manager).state = "approved"

    def test_approval_requested_as_activity_and_done_at_approval(self):
        plan = self._plan(user=self.salesperson, tracked=True)
        plan.action_request_approval()
        plan.action_request_approval()  # asked once
        approval_type = self.env.ref("customer_mgmt.mail_activity_type_sales_plan_approval")
        activity = plan.sudo().activity_ids
        self.assertEqual(activity.activity_type_id, approval_type)
        self.assertTrue(activity.user_id.has_group("customer_mgmt.group_customer_manager"))
        plan.with_user(self.manager).action_approve()
        self.assertFalse(plan.sudo().activity_ids)
        self.assertRecordValues(plan, [{"state": "approved", "approver_id": self.manager.id}])
        self.env.flush_all()
        self.env.cr.flush()  # post the pending tracking messages, as the commit would
        messages = self.env["mail.message"].search(
            [("model", "=", plan._name), ("res_id", "=", plan.id)], order="id desc"
        )
        tracked = messages.sudo().filtered("tracking_value_ids")[:1]
        self.assertEqual(tracked.subtype_id, self.env.ref("customer_mgmt.mt_sales_plan_approved"))

    def test_approved_plan_frozen_for_salespeople(self):
        plan = self._plan(user=self.salesperson, tracked=True)
        line = (
            self.env["customer.sales.plan.line"]
            .with_user(self.salesperson)
            .create({"plan_id": plan.id, "categ_id": self.categ_drugs.id, "amount_target": 100.0})
        )
        plan.with_user(self.manager).action_approve()
        for vals in (
            {"amount_target": 5.0},
            {"month": date(2025, 4, 1)},
            {"partner_id": self.unassigned.id},
            {"note": "调低目标"},
            {"line_ids": [Command.create({"categ_id": self.categ_devices.id, "amount_target": 1.0})]},
        ):
            with self.assertRefused(AccessError, "approved or closed: only a sales manager"):
                plan.write(vals)
        with self.assertRefused(AccessError, "only a sales manager changes their category targets"):
            line.amount_target = 1.0
        with self.assertRefused(AccessError, "only a sales manager changes their category targets"):
            line.unlink()
        with self.assertRefused(AccessError, "only a sales manager changes their category targets"):
            line.create({"plan_id": plan.id, "categ_id": self.categ_devices.id, "amount_target": 1.0})
        with self.assertRaises(UserError):
            plan.unlink()
        with self.assertRefused(AccessError, "only a sales manager resets them to draft"):
            plan.action_reset_draft()
        with self.assertRefused(AccessError, "only a sales manager closes them"):
            plan.action_close()
        self.assertRecordValues(plan, [{"amount_target": 1000.0, "month": MARCH, "state": "approved"}])
        # the manager changes the target of the approved plan, tracked
        plan.with_user(self.manager).write({"amount_target": 1500.0})
        line.with_user(self.manager).amount_target = 200.0
        self.assertRecordValues(plan, [{"amount_target": 1500.0, "state": "approved"}])
        self.env.flush_all()
        self.env.cr.flush()  # post the pending tracking messages, as the commit would
        tracked = (
            self.env["mail.tracking.value"]
            .sudo()
            .search([("mail_message_id.model", "=", plan._name), ("mail_message_id.res_id", "=", plan.id)])
        )
        self.assertEqual(
            tracked.filtered(lambda value: value.field_id.name == "amount_target").mapped("new_value_float"),
            [1500.0],
        )
        # closed: still frozen; reset to draft by a manager: the salesperson's again
        plan.with_user(self.manager).action_close()
        with self.assertRefused(AccessError, "approved or closed"):
            plan.amount_target = 5.0
        with self.assertRefused(UserError, "is Closed and cannot do that"):
            plan.with_user(self.manager).action_approve()
        plan.with_user(self.manager).action_reset_draft()
        self.assertRecordValues(plan, [{"state": "draft", "approver_id": False}])
        plan.amount_target = 900.0
        plan.unlink()

    def test_salesperson_plans_own_or_unassigned_customers_only(self):
        with self.assertRefused(AccessError, "is followed by"):
            self._plan(user=self.salesperson, partner=self.customer_b)
        b_contact = self.env["res.partner"].create({"name": "广药 门店", "parent_id": self.customer_b.id})
        with self.assertRefused(AccessError, "is followed by"):
            self._plan(user=self.salesperson, partner=b_contact)
        with self.assertRefused(AccessError, "is followed by"):
            self.Plan.with_user(self.salesperson).with_context(default_partner_id=self.customer_b.id).create(
                {"month": MARCH}
            )
        plan = self._plan(user=self.salesperson, partner=self.unassigned)
        with self.assertRefused(AccessError, "is followed by"):
            plan.partner_id = self.customer_b
        # the salesperson is the customer's: not reassigned through the plan
        with self.assertRefused(UserError, "computed, not written by hand"):
            plan.user_id = self.salesperson_b
        with self.assertRefused(UserError, "computed"):
            plan.write({"amount_invoiced": 1e6})
        self.assertFalse(self.unassigned.user_id)

    def test_record_rules_keep_salespeople_to_their_customers(self):
        own = self._plan(user=self.salesperson)
        unassigned = self._plan(user=self.salesperson, partner=self.unassigned)
        other = self._plan(partner=self.customer_b)
        hidden = self._plan(user=self.env.user, company_id=self.other_company.id)
        plans_b = self.Plan.with_user(self.salesperson_b)
        domain = [("id", "in", (own | unassigned | other | hidden).ids)]
        self.assertEqual(
            {row["id"] for row in plans_b.search_read(domain, ["id"])}, {unassigned.id, other.id}
        )
        groups = plans_b._read_group(domain, ["partner_id"], ["amount_target:sum", "amount_invoiced:sum"])
        self.assertEqual(
            {partner.id for partner, *_values in groups}, {self.unassigned.id, self.customer_b.id}
        )
        with self.assertRaises(AccessError):
            own.with_user(self.salesperson_b).read(["amount_target"])
        with self.assertRaises(AccessError):
            own.with_user(self.salesperson_b).amount_target = 1.0
        # salesperson B cannot approve either, even their own customer's plan
        with self.assertRaises(AccessError):
            other.with_user(self.salesperson_b).action_approve()
        # the manager reads every plan of their companies, not the other company's
        manager_plans = self.Plan.with_user(self.manager).search(domain)
        self.assertEqual(manager_plans, own | unassigned | other)
        with self.assertRaises(AccessError):
            hidden.with_user(self.manager).action_approve()

    def test_customer_card_smart_button(self):
        with freeze_time("2025-03-14"):
            self._post_move(self.customer, "2025-03-05", 250.0)
            self._plan(target=1000.0)
            self._plan(month=date(2025, 2, 1))
            customer = self.customer.with_user(self.salesperson)
            self.assertEqual(customer.sales_plan_count, 2)
            self.assertEqual(customer.sales_plan_progress, 25.0)
            self.assertEqual(self.contact.with_user(self.salesperson).sales_plan_count, 2)
            self.assertEqual(self.customer_b.with_user(self.salesperson).sales_plan_count, 0)
            action = customer.action_view_sales_plans()
            self.assertEqual(action["domain"], [("partner_id", "=", self.customer.id)])
            employee = self._new_user("cm_employee", "base.group_user")
            self.assertEqual(self.customer.with_user(employee).sales_plan_count, 0)

    def test_customer_with_plans_is_archived_not_deleted(self):
        self._plan(partner=self.unassigned)
        with self.assertRefused(UserError, "kept in the sales plans"):
            self.unassigned.unlink()
