from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import CustomerMgmtCase

APPROVAL = "customer_mgmt.mail_activity_type_support_approval"


class SupportCase(CustomerMgmtCase):
    """A promotion planned by the first salesperson for their customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.promotion = cls.env.ref("customer_mgmt.support_type_promotion")
        cls.Activity = cls.env["customer.support.activity"]
        cls.Cost = cls.env["customer.support.cost"]

    def _plan(self, user=None, **vals):
        user = user or self.salesperson
        return (
            self.Activity.with_user(user)
            .create(
                {
                    "partner_id": self.customer.id,
                    "type_id": self.promotion.id,
                    "plan": "门店端架陈列，买二赠一，目标销量提升30%",
                    "date_start": "2026-03-01",
                    "date_end": "2026-03-31",
                    "amount_budget": 1000.0,
                    **vals,
                }
            )
            .with_user(user)
        )

    def _approved(self, **vals):
        activity = self._plan(**vals)
        activity.action_submit()
        activity.with_user(self.manager).action_approve()
        return activity

    def _cost(self, activity, amount=100.0, user=None, **vals):
        return self.Cost.with_user(user or self.salesperson).create(
            {
                "activity_id": activity.id,
                "description": "陈列费",
                "amount": amount,
                "date": "2026-03-05",
                **vals,
            }
        )

    def _last_tracking_subtype(self, activity):
        """The subtype of the last tracked change of ``activity``."""
        self.env.flush_all()
        self.env.cr.flush()  # post the pending tracking messages, as the commit would
        messages = self.env["mail.message"].search(
            [("model", "=", activity._name), ("res_id", "=", activity.id)], order="id desc"
        )
        return messages.sudo().filtered("tracking_value_ids")[:1].subtype_id

    def _approval_activities(self, activity):
        return activity.sudo().activity_ids.filtered(lambda a: a.activity_type_id == self.env.ref(APPROVAL))


@tagged("post_install", "-at_install")
class TestSupportWorkflow(SupportCase):
    def test_walk_the_whole_workflow(self):
        self.Activity = self.Activity.with_context(tracking_disable=False, mail_notrack=False)
        activity = self._plan()
        self.assertRecordValues(
            activity,
            [
                {
                    "state": "draft",
                    "partner_id": self.customer.id,
                    "user_id": self.salesperson.id,
                    "company_id": self.company.id,
                    "amount_cost": 0.0,
                    "is_over_budget": False,
                    "approver_id": False,
                }
            ],
        )
        self.assertTrue(activity.name.startswith("SUP/"))

        self.env.cr.flush()  # created in a former transaction: its changes are tracked
        activity.action_submit()
        self.assertRecordValues(activity, [{"state": "submitted", "approver_id": False}])
        self.assertEqual(
            self._last_tracking_subtype(activity), self.env.ref("customer_mgmt.mt_support_activity_submitted")
        )
        approvals = self._approval_activities(activity)
        self.assertIn(self.manager, approvals.user_id, "the managers are asked to approve")
        self.assertNotIn(self.salesperson, approvals.user_id)

        activity.with_user(self.manager).action_approve()
        self.assertRecordValues(activity, [{"state": "approved", "approver_id": self.manager.id}])
        self.assertEqual(
            self._last_tracking_subtype(activity), self.env.ref("customer_mgmt.mt_support_activity_approved")
        )
        self.assertTrue(activity.approval_date)
        self.assertFalse(self._approval_activities(activity), "the approval is done once decided")
        done = self.env["mail.message"].search(
            [
                ("model", "=", activity._name),
                ("res_id", "=", activity.id),
                ("mail_activity_type_id", "!=", False),
            ]
        )
        self.assertTrue(done, "the approval is marked done, not deleted")

        self._cost(activity, 600.0)
        self._cost(activity, 500.0, description="赠品")
        self.assertRecordValues(activity, [{"amount_cost": 1100.0, "is_over_budget": True}])

        activity.action_done()
        self.assertRecordValues(activity, [{"state": "done"}])
        activity.write({"evaluation": "销量提升25%，略低于目标", "rating": "4"})
        activity.action_evaluate()
        self.assertRecordValues(activity, [{"state": "evaluated", "rating": "4", "amount_cost": 1100.0}])
        self.assertEqual(
            self._last_tracking_subtype(activity), self.env.ref("customer_mgmt.mt_support_activity_evaluated")
        )

    def test_refusal_goes_back_to_draft_with_its_reason(self):
        activity = self._plan()
        activity.action_submit()
        manager_activity = activity.with_user(self.manager)
        with self.assertRaisesRegex(UserError, "Refusal Reason"):
            manager_activity.action_refuse()
        with self.assertRaises(AccessError):
            activity.write({"refuse_reason": "我自己写的理由"})
        manager_activity.refuse_reason = "预算偏高，请先在一家门店试点"
        manager_activity.action_refuse()
        self.assertRecordValues(
            activity, [{"state": "draft", "refuse_reason": "预算偏高，请先在一家门店试点"}]
        )
        self.assertFalse(self._approval_activities(activity))
        message = activity.sudo().message_ids.filtered(lambda m: "预算偏高" in (m.body or ""))
        self.assertTrue(message, "the refusal and its reason are posted on the chatter")
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        # the salesperson amends the plan and submits again: a new decision is needed
        activity.write({"amount_budget": 600.0})
        activity.action_submit()
        self.assertRecordValues(activity, [{"state": "submitted", "refuse_reason": False}])
        self.assertTrue(self._approval_activities(activity))

    def test_cancel(self):
        draft = self._plan()
        draft.action_cancel()
        self.assertEqual(draft.state, "cancelled")

        submitted = self._plan()
        submitted.action_submit()
        submitted.action_cancel()
        self.assertRecordValues(submitted, [{"state": "cancelled"}])
        self.assertFalse(self._approval_activities(submitted), "nobody decides on a cancelled plan")

        approved = self._approved()
        self._cost(approved, 200.0)
        with self.assertRaisesRegex(AccessError, "only a sales manager cancels"):
            approved.action_cancel()
        self.assertEqual(approved.state, "approved")
        approved.with_user(self.manager).action_cancel()
        self.assertEqual(approved.state, "cancelled")
        with self.assertRaises(UserError):
            self._cost(approved, 50.0)

        evaluated = self._approved()
        evaluated.action_done()
        evaluated.write({"evaluation": "效果一般", "rating": "2"})
        evaluated.action_evaluate()
        with self.assertRaisesRegex(UserError, "is Evaluated"):
            evaluated.with_user(self.manager).action_cancel()

    def test_evaluation_needs_text_and_rating(self):
        activity = self._approved()
        with self.assertRaisesRegex(UserError, "is Approved"):
            activity.action_evaluate()
        activity.action_done()
        with self.assertRaisesRegex(UserError, "Evaluation"):
            activity.action_evaluate()
        activity.write({"evaluation": "   ", "rating": "3"})
        with self.assertRaisesRegex(UserError, "Evaluation"):
            activity.action_evaluate()
        activity.write({"evaluation": "新品铺货率达到80%", "rating": "0"})
        with self.assertRaisesRegex(UserError, "Rating"):
            activity.action_evaluate()
        self.assertEqual(activity.state, "done")
        activity.rating = "5"
        activity.action_evaluate()
        self.assertEqual(activity.state, "evaluated")
        # evaluated: the salesperson changes nothing any more
        with self.assertRaises(AccessError):
            activity.write({"evaluation": "改写评估"})
        activity.with_user(self.manager).write({"evaluation": "主管补充评估"})

    def test_submit_needs_a_plan(self):
        activity = self._plan(plan=" ")
        with self.assertRaisesRegex(UserError, "Plan"):
            activity.action_submit()

    def test_data_rules(self):
        with self.assertRaisesRegex(ValidationError, "end date cannot be before"):
            self._plan(date_start="2026-03-10", date_end="2026-03-09")
        with self.assertRaisesRegex(ValidationError, "budget cannot be negative"):
            self._plan(amount_budget=-1.0)
        with self.assertRaisesRegex(ValidationError, "1 to 36 months"):
            self._plan(evaluation_months=0)
        activity = self._plan()
        with self.assertRaisesRegex(ValidationError, "end date cannot be before"):
            activity.write({"date_end": "2026-02-01"})

    def test_contact_means_its_company(self):
        contact = self.env["res.partner"].create({"name": "采购部 王经理", "parent_id": self.customer.id})
        activity = self._plan(partner_id=contact.id)
        self.assertEqual(activity.partner_id, self.customer)
        self.assertEqual(activity.user_id, self.salesperson, "the customer's salesperson by default")

    def test_delete_drafts_only(self):
        draft = self._plan()
        submitted = self._plan()
        submitted.action_submit()
        with self.assertRaisesRegex(UserError, "cancel them instead"):
            submitted.unlink()
        draft.unlink()
        self.assertFalse(draft.exists())

    def test_smart_button(self):
        self._plan()
        self._plan(user=self.salesperson_b, partner_id=self.customer_b.id)
        self.assertEqual(self.customer.support_activity_count, 1)
        action = self.customer.action_view_support_activities()
        self.assertEqual(self.Activity.search(action["domain"]).partner_id, self.customer)
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id)
        with self.assertRaisesRegex(UserError, "support activities"):
            self.customer.unlink()


@tagged("post_install", "-at_install")
class TestSupportAttacks(SupportCase):
    """A hostile salesperson goes around the buttons."""

    def test_salesperson_cannot_approve(self):
        activity = self._plan()
        activity.action_submit()
        with self.assertRaisesRegex(AccessError, "only a sales manager decides"):
            activity.action_approve()
        activity.sudo().refuse_reason = "x"
        with self.assertRaises(AccessError):
            activity.action_refuse()
        for vals in (
            {"state": "approved"},
            {"approver_id": self.salesperson.id},
            {"approval_date": fields.Datetime.now()},
            {"state": "approved", "amount_budget": 5000.0},
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "only through their buttons"):
                activity.write(vals)
        self.assertRecordValues(
            activity, [{"state": "submitted", "approver_id": False, "amount_budget": 1000.0}]
        )

    def test_salesperson_cannot_create_past_draft(self):
        for vals in ({"state": "approved"}, {"approver_id": self.salesperson.id}, {"name": "SUP/FAKE"}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                self._plan(**vals)

    def test_approved_plan_is_frozen_for_the_salesperson(self):
        activity = self._approved()
        for vals in (
            {"amount_budget": 5000.0},
            {"partner_id": self.customer_b.id},
            {"date_start": "2026-02-01"},
            {"date_end": "2026-04-30"},
            {"plan": "改成别的计划"},
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "stay as the manager approved"):
                activity.write(vals)
        # the same values are no change
        activity.write({"amount_budget": 1000.0, "date_end": "2026-03-31"})
        # a manager may change them
        activity.with_user(self.manager).write({"amount_budget": 1500.0, "date_end": "2026-04-15"})
        self.assertRecordValues(
            activity, [{"amount_budget": 1500.0, "date_end": fields.Date.to_date("2026-04-15")}]
        )

    def test_computed_cost_is_not_written(self):
        activity = self._approved()
        self._cost(activity, 1500.0)
        for user in (self.salesperson, self.manager):
            for vals in ({"amount_cost": 10.0}, {"is_over_budget": False}):
                with self.subTest(user=user.login, vals=vals), self.assertRaisesRegex(UserError, "computed"):
                    activity.with_user(user).write(vals)
        self.assertRecordValues(activity, [{"amount_cost": 1500.0, "is_over_budget": True}])

    def test_salesperson_plans_for_own_customers_only(self):
        with self.assertRaises(AccessError):
            self._plan(partner_id=self.customer_b.id)
        activity = self._plan()
        with self.assertRaisesRegex(AccessError, "followed by"):
            activity.write({"partner_id": self.customer_b.id})
        self.assertEqual(activity.partner_id, self.customer)

    def test_record_rules(self):
        mine = self._plan()
        theirs = self._plan(user=self.salesperson_b, partner_id=self.customer_b.id)
        theirs.action_submit()
        theirs.with_user(self.manager).action_approve()
        self._cost(theirs, 300.0, user=self.salesperson_b)
        Activity = self.Activity.with_user(self.salesperson_b)
        both = [("partner_id", "in", (self.customer | self.customer_b).ids)]
        records = Activity.search_read(both, ["name", "amount_budget"])
        self.assertEqual([r["id"] for r in records], theirs.ids)
        groups = Activity._read_group(both, ["partner_id"], ["amount_budget:sum", "__count"])
        self.assertEqual(groups, [(self.customer_b.with_user(self.salesperson_b), 1000.0, 1)])
        formatted = Activity.formatted_read_group(both, ["state"], ["__count"])
        self.assertEqual(sum(group["__count"] for group in formatted), 1)
        with self.assertRaises(AccessError):
            mine.with_user(self.salesperson_b).read(["amount_budget"])
        with self.assertRaises(AccessError):
            mine.with_user(self.salesperson_b).action_submit()
        self.assertFalse(self.Cost.with_user(self.salesperson).search([("activity_id", "=", theirs.id)]))
        with self.assertRaises(AccessError):
            self._cost(theirs, 50.0, user=self.salesperson)
        self.assertTrue(self.Cost.with_user(self.salesperson_b).search([("activity_id", "=", theirs.id)]))
        self.assertEqual(
            len(self.Activity.with_user(self.manager).search([("id", "in", (mine | theirs).ids)])), 2
        )


@tagged("post_install", "-at_install")
class TestSupportSalesEffect(SupportCase):
    @freeze_time("2026-12-15")
    def test_sales_before_and_after(self):
        contact = self.env["res.partner"].create({"name": "华东医药 采购部", "parent_id": self.customer.id})
        # the activity runs in March; three months before: Dec to Feb, after: Apr to Jun
        self._post_move(self.customer, "2025-11-30", 9999.0)  # before the window
        self._post_move(self.customer, "2025-12-01", 1000.0)
        self._post_move(contact, "2026-02-28", 1000.0)  # a contact buys for the customer
        self._post_move(self.customer, "2026-03-15", 7777.0)  # during the activity: neither
        self._post_move(self.customer, "2026-04-01", 2000.0)
        self._post_move(self.customer, "2026-06-30", 1500.0)
        self._post_move(self.customer, "2026-05-10", 500.0, move_type="out_refund")
        self._post_move(self.customer, "2026-07-01", 9999.0)  # after the window
        self._post_move(self.customer_b, "2026-04-02", 9999.0)  # another customer
        self._post_move(self.customer, "2026-04-03", 9999.0, post=False)  # a draft
        self._post_move(self.customer, "2026-04-04", 9999.0, move_type="in_invoice")  # a purchase
        activity, other = self._plan() | self._plan(date_start="2026-05-01", date_end="2026-05-31")
        self.assertRecordValues(
            activity | other,
            [
                {"sales_before": 2000.0, "sales_after": 3000.0, "sales_change": 50.0},
                # February to April before (the bill and the draft do not count), June to August after
                {
                    "sales_before": 10777.0,
                    "sales_after": 11499.0,
                    "sales_change": 100 * (11499 - 10777) / 10777,
                },
            ],
        )
        activity.evaluation_months = 1  # February alone before, April alone after
        self.assertRecordValues(
            activity, [{"sales_before": 1000.0, "sales_after": 2000.0, "sales_change": 100.0}]
        )
        # no sales before: no change to measure; still running: no change yet
        self.assertRecordValues(
            self._plan(date_start="2025-10-01", date_end="2025-10-31")
            | self._plan(date_start="2026-07-15", date_end="2026-12-31"),
            [
                {"sales_before": 0.0, "sales_after": 10999.0, "sales_change": 0.0},
                {"sales_before": 10999.0, "sales_after": 0.0, "sales_change": 0.0},
            ],
        )


@tagged("post_install", "-at_install")
class TestSupportSpend(SupportCase):
    @freeze_time("2026-12-15")
    def test_spend_and_margin_share(self):
        self.company.customer_grade_months = 12
        self._post_move(self.customer, "2026-06-01", 10000.0, product=self._product(cost=6000.0))
        self._post_move(
            self.customer, "2026-07-01", 1000.0, move_type="out_refund", product=self._product(cost=600.0)
        )
        # margin: 9000 of sales less 5400 of cost = 3600
        counted = self._approved(date_start="2026-05-01", date_end="2026-05-31", amount_budget=2000.0)
        self._cost(counted, 500.0)
        running = self._approved(date_start="2026-12-01", date_end="2027-01-31")
        self._cost(running, 400.0)
        evaluated = self._approved(date_start="2025-12-01", date_end="2025-12-31")
        self._cost(evaluated, 300.0)
        evaluated.action_done()
        evaluated.write({"evaluation": "好", "rating": "3"})
        evaluated.action_evaluate()
        old = self._approved(date_start="2025-11-01", date_end="2025-12-15")  # ended before the window
        self._cost(old, 9999.0)
        cancelled = self._approved()
        self._cost(cancelled, 9999.0)
        cancelled.with_user(self.manager).action_cancel()
        self._plan(amount_budget=9999.0).action_submit()  # not approved: nothing spent
        self.assertRecordValues(
            self.customer.with_user(self.salesperson),
            [{"support_spend": 1200.0, "support_margin_share": 100 * 1200.0 / 3600.0}],
        )
        # another salesperson reads no figure of the customer's card
        self.assertRecordValues(
            self.customer.with_user(self.salesperson_b), [{"support_spend": 0.0, "support_margin_share": 0.0}]
        )
        # a shorter window: the evaluated one ended before it
        self.company.customer_grade_months = 6
        self.customer.invalidate_recordset(["support_spend", "support_margin_share"])
        self.assertEqual(self.customer.support_spend, 400.0)

    @freeze_time("2026-12-15")
    def test_no_margin_no_share(self):
        activity = self._approved(date_start="2026-11-01", date_end="2026-11-30")
        self._cost(activity, 100.0)
        self.assertRecordValues(self.customer, [{"support_spend": 100.0, "support_margin_share": 0.0}])

    @freeze_time("2026-12-15")
    def test_spend_queries_do_not_grow_with_customers(self):
        customers = self.env["res.partner"].create(
            [{"name": f"客户{i}", "is_company": True, "user_id": self.salesperson.id} for i in range(20)]
        )
        for customer in customers:
            self._post_move(customer, "2026-06-01", 1000.0)
            activity = self._approved(partner_id=customer.id, date_start="2026-11-01", date_end="2026-11-30")
            self._cost(activity, 10.0)
        self.env.flush_all()

        def fresh(partners):
            """``partners`` read by the manager from an empty cache, but for the
            manager's own records (time zone, company), read whatever the partners."""
            self.env.invalidate_all()
            partners = partners.with_user(self.manager)
            fields.Date.context_today(partners)
            self.assertTrue(partners.env.company.currency_id.name)
            return partners

        fresh(customers).mapped("support_spend")  # warm the caches of the registry
        two = fresh(customers[:2])
        # a constant number of queries: the readable cards, the customers, their spend, their margin...
        with self.assertQueryCount(5):
            self.assertEqual(two.mapped("support_spend"), [10.0] * 2)
        twenty = fresh(customers)
        with self.assertQueryCount(5):
            self.assertEqual(twenty.mapped("support_spend"), [10.0] * 20)

    def _product(self, cost):
        return self.env["product.product"].create(
            {"name": f"药品{cost}", "standard_price": cost, "categ_id": self.product_a.categ_id.id}
        )
