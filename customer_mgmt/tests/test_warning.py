from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2.errors import UniqueViolation

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CustomerMgmtCase

LIVE = ("open", "acknowledged")


class WarningCase(CustomerMgmtCase):
    """Helpers to scan and read the warnings of the test's customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rules = cls.env["customer.warning.rule"]
        cls.warnings = cls.env["customer.warning"]

    def _scan(self):
        return self.rules._scan()

    def _live(self, partners, warning_type=None):
        domain = [("partner_id", "in", partners.ids), ("state", "in", LIVE)]
        if warning_type:
            domain.append(("warning_type", "=", warning_type))
        return self.warnings.search(domain)

    def _expiring_customers(self, count, user=None):
        """``count`` customers whose credit limit ended yesterday: each meets
        the credit_limit_expiring rule."""
        customers = self.env["res.partner"].create(
            [
                {
                    "name": f"Expiring {index}",
                    "is_company": True,
                    "customer_rank": 1,
                    "user_id": (user or self.salesperson).id,
                }
                for index in range(count)
            ]
        )
        self._limit_ends(customers, date.today() - timedelta(days=1))
        return customers

    def _limit_ends(self, customers, day):
        # the end of a limit is written by the credit actions only
        customers.sudo().credit_limit_date_end = day

    def _activities(self, warnings):
        return self.env["mail.activity"].search(
            [("res_model", "=", "customer.warning"), ("res_id", "in", warnings.ids)]
        )


@tagged("post_install", "-at_install")
class TestWarningScan(WarningCase):
    def test_new_warning_has_figures_owner_deadline_and_one_activity(self):
        customer = self._expiring_customers(1)
        self._scan()
        warning = self._live(customer)
        self.assertRecordValues(
            warning,
            [
                {
                    "warning_type": "credit_limit_expiring",
                    "state": "open",
                    "user_id": self.salesperson.id,
                    "measured_value": -1.0,
                    "threshold_value": 30.0,
                    "company_id": self.env.company.id,
                    "date_deadline": date.today() + timedelta(days=14),
                    "severity": "medium",
                }
            ],
        )
        self.assertIn("expired 1 days ago", warning.summary)
        activity = self._activities(warning)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertEqual(activity.date_deadline, warning.date_deadline)

    def test_rerun_creates_and_changes_nothing(self):
        customers = self._expiring_customers(3)
        first = self._scan()
        self.assertGreaterEqual(first["raised"], 3)
        self.env.flush_all()
        before = self._live(customers).read(["write_date", "state", "measured_value"])
        activities = self._activities(self._live(customers))
        self.assertEqual(self._scan(), {"raised": 0, "resolved": 0})
        self.env.invalidate_all()
        self.assertEqual(self._live(customers).read(["write_date", "state", "measured_value"]), before)
        self.assertEqual(self._activities(self._live(customers)), activities)

    def test_condition_gone_resolves_with_figures_and_closes_activity(self):
        customer = self._expiring_customers(1)
        self._scan()
        warning = self._live(customer)
        self._limit_ends(customer, date.today() + timedelta(days=200))
        self.assertEqual(self._scan()["resolved"], 1)
        self.assertEqual(warning.state, "resolved")
        self.assertEqual(warning.resolved_value, 200.0)
        self.assertTrue(warning.resolved_date)
        self.assertFalse(self._activities(warning).filtered("active"))
        # the closed activity stays as done, with the scan's feedback in the chatter
        self.assertTrue(
            warning.message_ids.filtered(lambda m: "resolved by the warning scan" in (m.body or ""))
        )

    def test_condition_back_raises_a_new_warning(self):
        customer = self._expiring_customers(1)
        self._scan()
        first = self._live(customer)
        self._limit_ends(customer, date.today() + timedelta(days=200))
        self._scan()
        self._limit_ends(customer, date.today() - timedelta(days=2))
        self._scan()
        second = self._live(customer)
        self.assertTrue(second)
        self.assertNotEqual(second, first)
        self.assertEqual(first.state, "resolved")

    def test_dismissed_warning_stays_quiet_for_the_rule_days(self):
        customer = self._expiring_customers(1)
        self._scan()
        warning = self._live(customer).with_user(self.manager)
        warning.dismiss_reason = "客户已续签，系统尚未录入"
        warning.action_dismiss()
        self._scan()
        self.assertFalse(self._live(customer))
        with freeze_time(date.today() + timedelta(days=31)):
            self._scan()
            self.assertEqual(len(self._live(customer, "credit_limit_expiring")), 1)

    def test_unique_index_refuses_a_second_live_warning_through_the_orm(self):
        customer = self._expiring_customers(1)
        self._scan()
        warning = self._live(customer)
        values = {
            "partner_id": customer.id,
            "company_id": warning.company_id.id,
            "warning_type": warning.warning_type,
        }
        with mute_logger("odoo.sql_db"), self.assertRaises(UniqueViolation), self.env.cr.savepoint():
            self.warnings.sudo().create(values)
            self.env.flush_all()
        # once the first is resolved, a new one may be open
        warning.action_resolve()
        self.env.flush_all()
        self.assertTrue(self.warnings.sudo().create(values))

    def test_crash_after_first_rule_then_rerun_equals_a_clean_run(self):
        """A run killed in the middle of the second (rule, company) loses
        that part's work (its transaction is rolled back) and keeps the first
        (committed); the rerun completes the set without duplicates."""
        customers = self._expiring_customers(2)
        # a second rule met by the same customers: a certificate expired
        ctype = self.env["customer.certificate.type"].create({"name": "GSP", "expiry_warning_days": 30})
        self.env["customer.certificate"].create(
            [
                {
                    "partner_id": c.id,
                    "type_id": ctype.id,
                    "number": f"GSP-{c.id}",
                    "expiry_date": date.today(),
                }
                for c in customers
            ]
        )

        def snapshot():
            self.env.flush_all()
            live = self._live(customers)
            return sorted((w.partner_id.id, w.warning_type) for w in live), len(self._activities(live))

        self.env.flush_all()
        with self.env.cr.savepoint(flush=False) as clean:
            self._scan()
            expected = snapshot()
            clean.rollback()
        self.env.invalidate_all()
        self.assertEqual(len(expected[0]), 4)

        scan_company = type(self.rules)._scan_company
        calls = []

        def killed(rule, company):
            calls.append(rule.warning_type)
            if len(calls) < 2:
                return scan_company(rule, company)
            with self.env.cr.savepoint():
                scan_company(rule, company)
                raise KeyboardInterrupt  # the worker is killed: this part is rolled back

        with patch.object(type(self.rules), "_scan_company", killed), self.assertRaises(KeyboardInterrupt):
            self._scan()
        self.assertLess(len(snapshot()[0]), 4)
        self._scan()
        self.assertEqual(snapshot(), expected)

    def test_overdue_warning_escalates_once_to_the_managers(self):
        customer = self._expiring_customers(1)
        self._scan()
        warning = self._live(customer)
        with freeze_time(warning.date_deadline + timedelta(days=1)):
            self.assertGreaterEqual(self.warnings._escalate_overdue(), 1)
            self.assertEqual(self.warnings._escalate_overdue(), 0)
        self.assertTrue(warning.escalated)
        manager_activities = self._activities(warning).filtered(lambda a: a.user_id == self.manager)
        self.assertEqual(len(manager_activities), 1)
        self.assertIn("Overdue warning", manager_activities.summary)

    def test_acknowledged_warning_does_not_escalate(self):
        customer = self._expiring_customers(1)
        self._scan()
        warning = self._live(customer)
        warning.with_user(self.salesperson).action_acknowledge()
        with freeze_time(warning.date_deadline + timedelta(days=1)):
            self.warnings._escalate_overdue()
        self.assertFalse(warning.escalated)
        self.assertEqual(warning.state, "acknowledged")
        self.assertTrue(warning.acknowledged_date)

    def test_resolve_by_hand_closes_the_activity(self):
        customer = self._expiring_customers(1)
        self._scan()
        warning = self._live(customer)
        warning.with_user(self.salesperson).action_resolve()
        self.assertEqual(warning.state, "resolved")
        self.assertFalse(self._activities(warning).filtered("active"))

    def test_hand_over_moves_open_warnings_and_their_activities(self):
        customer = self._expiring_customers(1)
        self._scan()
        warning = self._live(customer)
        wizard = self.env["customer.handover.wizard"].with_user(self.manager)
        wizard.create(
            {"from_user_id": self.salesperson.id, "to_user_id": self.salesperson_b.id, "reason": "leave"}
        ).action_handover()
        self.assertEqual(warning.user_id, self.salesperson_b)
        self.assertEqual(self._activities(warning).user_id, self.salesperson_b)
        # a salesperson cannot reassign a warning
        with self.assertRaises(AccessError):
            warning.with_user(self.salesperson_b).user_id = self.salesperson

    def test_scan_queries_do_not_grow_with_customers(self):
        self._scan()  # the demo customers settle first
        self._expiring_customers(10)
        self.env.flush_all()
        self.env.invalidate_all()
        queries_before = self.env.cr.sql_log_count
        self.assertEqual(self._scan()["raised"], 10)
        queries_for_10 = self.env.cr.sql_log_count - queries_before
        self._expiring_customers(100)
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(queries_for_10):
            self.assertEqual(self._scan()["raised"], 100)

    def test_rule_of_a_company_replaces_the_shared_rule(self):
        shared = self.env.ref("customer_mgmt.customer_warning_rule_credit_limit_expiring")
        own = shared.copy({"company_id": self.env.company.id, "threshold_days": 10, "severity": "high"})
        plan = [rule for rule, company in self.rules._scan_plan() if company == self.env.company]
        self.assertIn(own, plan)
        self.assertNotIn(shared, plan)
        customer = self._expiring_customers(1)
        self._scan()
        self.assertEqual(self._live(customer).severity, "high")
        self.assertEqual(self._live(customer).threshold_value, 10.0)

    def test_negative_threshold_is_refused_naming_the_rule(self):
        rule = self.env.ref("customer_mgmt.customer_warning_rule_churn")
        with self.assertRaisesRegex(Exception, "Customer churning.*cannot be negative"):
            rule.threshold_days = -1


@tagged("post_install", "-at_install")
class TestWarningDemo(WarningCase):
    """The demo database's first scan (run by the demo data)."""

    def test_demo_scan_raised_six_types_and_a_rerun_adds_none(self):
        # the demo company's, which the test user does not work in
        demo = self.warnings.sudo().search([("company_id", "=", self.env.ref("base.main_company").id)])
        types = set(demo.mapped("warning_type"))
        self.assertGreaterEqual(len(types), 6, types)
        self.assertTrue({"churn", "major_incident", "frequency_dropping"} <= types)
        self.assertIn("acknowledged", demo.mapped("state"))
        churned = self.env.ref("customer_mgmt.partner_km_dianchi_demo")
        churn = demo.filtered(lambda w: w.partner_id == churned and w.warning_type == "churn")
        self.assertEqual(churn.user_id, self.env.ref("customer_mgmt.user_zhang_wei_demo"))
        self.assertEqual(self._scan()["raised"], 0)

    def test_paying_the_overdue_invoice_resolves_the_receivable_warning(self):
        self._scan()
        warning = self.warnings.sudo().search(
            [("warning_type", "=", "receivable_over_limit"), ("state", "in", LIVE)], limit=1
        )
        self.assertTrue(warning, "the demo has a customer over its limit")
        customer = warning.partner_id
        company = warning.company_id
        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "=", customer.id),
                    ("company_id", "=", company.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                ]
            )
        )
        orders = (
            self.env["sale.order"]
            .sudo()
            .search([("partner_id.commercial_partner_id", "=", customer.id), ("state", "=", "sale")])
        )
        orders.sudo().with_company(company)._action_cancel()
        self.assertTrue(invoices)
        self.env["account.payment.register"].sudo().with_company(company).with_context(
            active_model="account.move", active_ids=invoices.ids
        ).create({"group_payment": True})._create_payments()
        self.assertEqual(self._scan()["resolved"] >= 1, True)
        self.assertEqual(warning.state, "resolved")
        self.assertLessEqual(warning.resolved_value, warning.threshold_value)


@tagged("post_install", "-at_install")
class TestWarningOnCard(WarningCase):
    def test_card_shows_open_warnings_to_the_salesperson(self):
        customer = self._expiring_customers(1)
        self._scan()
        as_salesperson = customer.with_user(self.salesperson)
        self.assertEqual(as_salesperson.open_warning_count, 1)
        self.assertIn("Credit Limit Expiring", as_salesperson.open_warning_summary)
        # another salesperson sees no warning of it
        self.assertEqual(customer.with_user(self.salesperson_b).open_warning_count, 0)
        action = as_salesperson.action_view_warnings()
        self.assertEqual(
            self.warnings.with_user(self.salesperson).search(action["domain"]), self._live(customer)
        )

    def test_plug_in_type_needs_no_change_to_the_scan(self):
        """A type is a selection value and a ``_warning_rows_<type>`` method."""
        rows = {"called": 0}
        model = type(self.rules)
        original = model._warning_rows_credit_limit_expiring

        def rows_test(rule, company):
            rows["called"] += 1
            return original(rule, company)

        with (
            patch.object(model, "_scanned_types", lambda rule: {"credit_limit_expiring"}),
            patch.object(model, "_warning_rows_credit_limit_expiring", rows_test),
        ):
            self._expiring_customers(1)
            self._scan()
        self.assertEqual(rows["called"], len(self.env["res.company"].search([("active", "=", True)])))
        self.assertIn("_warning_rows_churn", dir(model))
        self.assertTrue(
            {"churn", "receivable_over_limit", "card_incomplete", "complaint_overdue", "grade_dropped"}
            <= self.rules._scanned_types()
        )
        self.assertNotIn("major_incident", self.rules._scanned_types())

    def test_monthly_graph_of_the_card(self):
        self._post_move(self.customer, date.today().replace(day=1), 1200.0)
        graph = self.customer.with_user(self.salesperson).purchase_monthly_graph
        self.assertIn("1200", graph)
        self.assertFalse(self.customer.with_user(self.salesperson_b).purchase_monthly_graph)

    def test_incident_on_a_contact_lands_on_its_company(self):
        contact = self.env["res.partner"].create(
            {"name": "采购 王", "parent_id": self.customer.id, "type": "contact"}
        )
        wizard = (
            self.env["customer.incident.wizard"]
            .with_user(self.salesperson)
            .create({"partner_id": contact.id, "incident_kind": "illness", "description": "总经理住院"})
        )
        wizard.action_report()
        self.assertEqual(self._live(self.customer, "major_incident").partner_id, self.customer)
        self.assertFalse(self._live(contact))
