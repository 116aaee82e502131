from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .test_warning import WarningCase

# a Monday, far from the demo data's dates
TODAY = date(2025, 6, 2)


@tagged("post_install", "-at_install")
class TestWarningRules(WarningCase):
    """Each scanned rule at its boundary, on a frozen day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.customer_grade_months = 24

    def _customer(self, name, **values):
        return self.env["res.partner"].create(
            {"name": name, "is_company": True, "customer_rank": 1, "user_id": self.salesperson.id, **values}
        )

    def _buy_on(self, customer, days_ago, amount=100.0):
        for days in days_ago:
            self._post_move(customer, TODAY - timedelta(days=days), amount)

    def _scan_on(self, day):
        with freeze_time(day):
            self._scan()

    # -- churn: judged against the customer's own rhythm ----------------
    def test_weekly_buyer_is_warned_within_three_weeks(self):
        weekly = self._customer("每周进货药店")
        self._buy_on(weekly, [7 * week for week in range(1, 13)])
        self._scan_on(TODAY)
        self.assertRecordValues(
            weekly,
            [
                {
                    "purchase_day_count": 12,
                    "purchase_gap_median": 7.0,
                    "last_purchase_date": TODAY - timedelta(7),
                }
            ],
        )
        self.assertFalse(self._live(weekly, "churn"))
        # threshold: ceil(max(1.5 × 7, 7)) = 11 days since the last purchase
        self._scan_on(TODAY - timedelta(days=7) + timedelta(days=11))
        self.assertFalse(self._live(weekly, "churn"))
        self._scan_on(TODAY - timedelta(days=7) + timedelta(days=21))
        warning = self._live(weekly, "churn")
        self.assertRecordValues(
            warning, [{"measured_value": 21.0, "threshold_value": 11.0, "severity": "high"}]
        )

    def test_quarterly_buyer_is_not_warned_at_three_weeks_but_after_five_months(self):
        quarterly = self._customer("按季进货医院")
        self._buy_on(quarterly, [21, 112, 203, 294, 385])
        self._scan_on(TODAY)
        self.assertEqual(quarterly.purchase_gap_median, 91.0)
        self.assertFalse(self._live(quarterly, "churn"))
        # threshold: ceil(max(1.5 × 91, 91)) = 137 days
        self._scan_on(TODAY - timedelta(days=21) + timedelta(days=137))
        self.assertFalse(self._live(quarterly, "churn"))
        self._scan_on(TODAY - timedelta(days=21) + timedelta(days=150))
        self.assertRecordValues(
            self._live(quarterly, "churn"), [{"measured_value": 150.0, "threshold_value": 137.0}]
        )

    def test_customer_with_few_purchase_days_uses_the_fixed_days(self):
        rare = self._customer("偶尔进货诊所")
        self._buy_on(rare, [10, 40])
        self._scan_on(TODAY + timedelta(days=80))  # 90 days since: not above 90
        self.assertFalse(self._live(rare, "churn"))
        self._scan_on(TODAY + timedelta(days=81))
        self.assertEqual(self._live(rare, "churn").threshold_value, 90.0)

    def test_buying_again_resolves_the_churn_warning(self):
        weekly = self._customer("恢复进货药店")
        self._buy_on(weekly, [7 * week for week in range(4, 16)])
        self._scan_on(TODAY)
        warning = self._live(weekly, "churn")
        self.assertTrue(warning)
        self._buy_on(weekly, [1])
        self._scan_on(TODAY)
        self.assertEqual(warning.state, "resolved")
        self.assertEqual(warning.resolved_value, 1.0)

    # -- frequency dropping ----------------------------------------------
    def test_frequency_dropping_at_its_boundary(self):
        before = [91 + 8 * index for index in range(10)]  # 10 purchase days in the 90 days before
        halved, less = self._customer("减半进货"), self._customer("不到一半")
        self._buy_on(halved, [*before, 5, 20, 35, 50, 65])  # 5 of 10: 50 %, not below 50 %
        self._buy_on(less, [*before, 5, 20, 35, 50])  # 4 of 10: 40 %
        self._scan_on(TODAY)
        self.assertFalse(self._live(halved, "frequency_dropping"))
        self.assertRecordValues(
            self._live(less, "frequency_dropping"), [{"measured_value": 40.0, "threshold_value": 50.0}]
        )
        self.assertRecordValues(less, [{"purchase_days_recent": 4, "purchase_days_previous": 10}])
        self.assertAlmostEqual(less.purchase_frequency_trend, -60.0)

    # -- sales below last year ------------------------------------------
    def test_sales_below_last_year_at_its_boundary(self):
        same, below = self._customer("持平客户"), self._customer("下滑客户")
        for customer, now in ((same, 800.0), (below, 799.0)):
            self._post_move(customer, TODAY - timedelta(days=365 + 30), 1000.0)
            self._post_move(customer, TODAY - timedelta(days=30), now)
        self._scan_on(TODAY)
        self.assertFalse(self._live(same, "sales_below_last_year"))
        warning = self._live(below, "sales_below_last_year")
        self.assertRecordValues(warning, [{"measured_value": -20.1, "threshold_value": 20.0}])
        self.assertIn("fell 20.1%", warning.summary)

    def test_refunds_count_against_sales(self):
        refunded = self._customer("退货客户")
        self._post_move(refunded, TODAY - timedelta(days=365 + 30), 1000.0)
        self._post_move(refunded, TODAY - timedelta(days=30), 1000.0)
        self._post_move(refunded, TODAY - timedelta(days=20), 300.0, move_type="out_refund")
        self._scan_on(TODAY)
        self.assertEqual(self._live(refunded, "sales_below_last_year").measured_value, -30.0)

    # -- sales behind the plan of the month ------------------------------
    def test_sales_behind_plan_at_its_boundary(self):
        """On Friday 13 June 2025, 10 of June's 21 working days are gone: a
        target of 21,000 expects 10,000, and the warning level (20 % behind)
        is 8,000."""
        day = date(2025, 6, 13)
        on_level, behind = self._customer("进度达标"), self._customer("进度落后")
        plans = self.env["customer.sales.plan"].create(
            [{"partner_id": c.id, "month": day, "amount_target": 21000.0} for c in on_level | behind]
        )
        plans.action_approve()
        self._post_move(on_level, date(2025, 6, 2), 8000.01)
        self._post_move(behind, date(2025, 6, 2), 7999.99)
        self._post_move(behind, date(2025, 5, 30), 5000.0)  # the month before does not count
        self._scan_on(day)
        self.assertFalse(self._live(on_level, "sales_behind_plan"))
        self.assertRecordValues(
            self._live(behind, "sales_behind_plan"), [{"measured_value": 38.1, "threshold_value": 38.1}]
        )
        # nothing in the first 7 days of a month
        july = self.env["customer.sales.plan"].create(
            {"partner_id": behind.id, "month": date(2025, 7, 1), "amount_target": 21000.0}
        )
        july.action_approve()
        self._scan_on(date(2025, 7, 7))
        self.assertFalse(self._live(behind, "sales_behind_plan"))
        self._scan_on(date(2025, 7, 8))
        self.assertEqual(self._live(behind, "sales_behind_plan").measured_value, 0.0)
        (plans | july).action_reset_draft()
        self._scan_on(day)
        self.assertFalse(self._live(behind, "sales_behind_plan"))

    # -- support spend ----------------------------------------------------
    def _support(self, customer, budget, cost):
        activity = self.env["customer.support.activity"].create(
            {
                "partner_id": customer.id,
                "type_id": self.env.ref("customer_mgmt.support_type_promotion").id,
                "plan": "端架陈列",
                "date_start": TODAY - timedelta(days=60),
                "date_end": TODAY - timedelta(days=30),
                "amount_budget": budget,
            }
        )
        activity.action_submit()
        activity.action_approve()
        self.env["customer.support.cost"].create(
            {
                "activity_id": activity.id,
                "description": "陈列费",
                "amount": cost,
                "date": TODAY - timedelta(days=40),
            }
        )
        return activity

    def test_support_over_budget_or_over_the_share_of_margin(self):
        on_budget, over_budget, costly = (self._customer(name) for name in ("预算内", "超预算", "费用过高"))
        for customer in on_budget | over_budget | costly:
            # a margin of 10,000: the line's cost is the product's
            self._post_move(customer, TODAY - timedelta(days=50), 10000.0 + self.product_a.standard_price)
        self._support(on_budget, 3000.0, 3000.0)  # 30 % of the margin: not above 30 %
        self._support(over_budget, 1000.0, 1000.01)
        self._support(costly, 5000.0, 3000.01)
        self._scan_on(TODAY)
        self.assertFalse(self._live(on_budget, "support_over_budget"))
        self.assertEqual(self._live(over_budget, "support_over_budget").measured_value, 10.0)
        self.assertRecordValues(
            self._live(costly, "support_over_budget"), [{"measured_value": 30.0, "threshold_value": 30.0}]
        )

    # -- receivables over the credit limit -------------------------------
    def test_receivable_over_limit_at_its_boundary(self):
        at_limit, over = self._customer("刚好到额"), self._customer("超出额度")
        for customer in at_limit | over:
            customer.with_company(self.env.company).credit_limit = 1000.0
        self._post_move(at_limit, TODAY, 1000.0)
        self._post_move(over, TODAY, 1000.01)
        self._scan_on(TODAY)
        self.assertFalse(self._live(at_limit, "receivable_over_limit"))
        self.assertRecordValues(
            self._live(over, "receivable_over_limit"),
            [{"measured_value": 1000.01, "threshold_value": 1000.0}],
        )

    # -- the card ---------------------------------------------------------
    def test_card_incomplete_after_the_rule_days(self):
        fresh = self._customer("新建档客户")
        self.env.flush_all()
        # the transaction's own clock dates the record: set its creation date directly
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = %s WHERE id = %s", (TODAY - timedelta(days=14), fresh.id)
        )
        fresh.invalidate_recordset(["create_date"])
        self._scan_on(TODAY)  # created 14 days ago: not more than 14
        self.assertFalse(self._live(fresh, "card_incomplete"))
        self._scan_on(TODAY + timedelta(days=1))
        warning = self._live(fresh, "card_incomplete")
        self.assertEqual(warning.threshold_value, 80.0)
        self.assertLess(warning.measured_value, 80.0)

    def test_review_overdue_after_the_company_period(self):
        customer = self._customer("待审客户")
        days = self.env.company.customer_card_stale_days
        customer.sudo().card_last_review_date = TODAY - timedelta(days=days)
        self._scan_on(TODAY)
        self.assertFalse(self._live(customer, "review_overdue"))
        self._scan_on(TODAY + timedelta(days=1))
        self.assertEqual(self._live(customer, "review_overdue").measured_value, days + 1)

    def test_certificate_expiring_within_its_type_period(self):
        customer = self._customer("证照客户")
        ctype = self.env["customer.certificate.type"].create(
            {"name": "药品经营许可证", "expiry_warning_days": 60}
        )
        self.env["customer.certificate"].create(
            {
                "partner_id": customer.id,
                "type_id": ctype.id,
                "number": "浙AA571",
                "expiry_date": TODAY + timedelta(61),
            }
        )
        self._scan_on(TODAY)
        self.assertFalse(self._live(customer, "certificate_expiring"))
        self._scan_on(TODAY + timedelta(days=1))
        self.assertRecordValues(
            self._live(customer, "certificate_expiring"), [{"measured_value": 60.0, "threshold_value": 60.0}]
        )

    def test_credit_limit_expiring_at_its_boundary(self):
        customer = self._customer("额度到期")
        self._limit_ends(customer, TODAY + timedelta(days=31))
        self._scan_on(TODAY)
        self.assertFalse(self._live(customer, "credit_limit_expiring"))
        self._scan_on(TODAY + timedelta(days=1))
        self.assertEqual(self._live(customer, "credit_limit_expiring").measured_value, 30.0)

    # -- grading and complaints --------------------------------------------
    def test_grade_dropped_within_the_rule_days(self):
        customer = self._customer("降级客户")
        grades = self.env["customer.grade"].search([("company_id", "in", (self.env.company.id, False))])
        best, worse = grades[0], grades[1]
        history = (
            self.env["customer.grade.history"]
            .sudo()
            .create(
                {
                    "partner_id": customer.id,
                    "company_id": self.env.company.id,
                    "date": TODAY - timedelta(days=40),
                    "old_grade_id": best.id,
                    "new_grade_id": worse.id,
                    "source": "auto",
                    "user_id": self.env.uid,
                }
            )
        )
        self._scan_on(TODAY)
        self.assertTrue(self._live(customer, "grade_dropped"))
        self._scan_on(TODAY + timedelta(days=1))
        self.assertFalse(self._live(customer, "grade_dropped"))
        # a rise is no drop
        history.write({"old_grade_id": worse.id, "new_grade_id": best.id, "date": TODAY})
        self._scan_on(TODAY)
        self.assertFalse(self._live(customer, "grade_dropped"))

    def test_escalated_complaint_warns_until_it_moves_on(self):
        customer = self._customer("投诉客户")
        complaint = self.env["customer.complaint"].create(
            {
                "partner_id": customer.id,
                "description": "到货破损",
                "category_id": self.env.ref("customer_mgmt.complaint_category_quality").id,
            }
        )
        self._scan_on(TODAY)
        self.assertFalse(self._live(customer, "complaint_overdue"))
        complaint.sudo().escalated = True
        self._scan_on(TODAY)
        self.assertEqual(self._live(customer, "complaint_overdue").measured_value, 1.0)
        complaint.sudo().escalated = False
        self._scan_on(TODAY)
        self.assertFalse(self._live(customer, "complaint_overdue"))
