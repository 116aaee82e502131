"""Hostile salespeople against sales plans, over real HTTP (JSON-2).

A salesperson approves nothing, writes no state, changes nothing of an
approved plan, reads no other salesperson's plans and generates nothing;
the doers behind the buttons cannot be called at all. See
``test_attacks_credit.py`` for how the calls are made and asserted.
"""

from odoo.tests import HttpCase, tagged

from .test_attacks_credit import RpcAttackMixin
from .test_sales_plan import MARCH, SalesPlanCase


@tagged("post_install", "-at_install")
class TestAttackSalesPlan(RpcAttackMixin, SalesPlanCase, HttpCase):
    """Salesperson A (``salesperson``) plans their customer ``customer``."""

    def test_salesperson_cannot_decide_a_plan(self):
        plan = self._plan(user=self.salesperson)
        model = "customer.sales.plan"
        self.assertRefused(
            self.rpc(self.salesperson, model, "action_approve", ids=plan.ids),
            "AccessError",
            "only a sales manager approves them",
        )
        self.assertRefused(
            self.rpc(self.salesperson, model, "write", ids=plan.ids, vals={"state": "approved"}),
            "UserError",
            "changes only through their buttons",
        )
        for method in ("_do_approve", "_action_approve", "_create_demo_plans"):
            self.assertRefused(self.rpc(self.salesperson, model, method, ids=plan.ids), "AccessError")
        self.assertRefused(
            self.rpc(
                self.salesperson,
                model,
                "create",
                vals_list=[{"partner_id": self.customer.id, "month": "2025-04-01", "state": "approved"}],
            ),
            "UserError",
            "start as drafts",
        )
        self.assertEqual(plan.state, "draft")
        self.assertEqual(self.Plan.search_count([("partner_id", "=", self.customer.id)]), 1)

    def test_salesperson_cannot_change_an_approved_plan(self):
        plan = self._plan(user=self.salesperson)
        plan.with_user(self.manager).action_approve()
        model = "customer.sales.plan"
        for vals in ({"amount_target": 1.0}, {"month": "2025-06-01"}, {"state": "draft"}):
            response = self.rpc(self.salesperson, model, "write", ids=plan.ids, vals=vals)
            self.assertNotEqual(response.status_code, 200, vals)
        self.assertRefused(
            self.rpc(
                self.salesperson,
                "customer.sales.plan.line",
                "create",
                vals_list=[{"plan_id": plan.id, "categ_id": self.categ_drugs.id, "amount_target": 1.0}],
            ),
            "AccessError",
            "only a sales manager changes their category targets",
        )
        self.assertRefused(
            self.rpc(self.salesperson, model, "action_reset_draft", ids=plan.ids),
            "AccessError",
            "only a sales manager resets them to draft",
        )
        self.assertRecordValues(plan, [{"amount_target": 1000.0, "month": MARCH, "state": "approved"}])
        self.assertFalse(plan.line_ids)

    def test_other_salesperson_sees_nothing_and_generates_nothing(self):
        plan = self._plan(user=self.salesperson)
        model = "customer.sales.plan"
        found = self.assertPassed(
            self.rpc(self.salesperson_b, model, "search_read", domain=[("id", "=", plan.id)], fields=["id"])
        )
        self.assertEqual(found, [])
        self.assertRefused(
            self.rpc(self.salesperson_b, model, "read", ids=plan.ids, fields=["amount_target"]), "AccessError"
        )
        groups = self.assertPassed(
            self.rpc(
                self.salesperson_b,
                model,
                "formatted_read_group",
                domain=[],
                groupby=["partner_id"],
                aggregates=["amount_invoiced:sum"],
            )
        )
        self.assertNotIn(
            self.customer.id, [group["partner_id"][0] for group in groups if group["partner_id"]]
        )
        self.assertRefused(
            self.rpc(
                self.salesperson,
                "customer.sales.plan.generate",
                "create",
                vals_list=[
                    {"month_from": "2025-03-01", "month_to": "2025-03-01", "include_without_sales": True}
                ],
            ),
            "AccessError",
        )
