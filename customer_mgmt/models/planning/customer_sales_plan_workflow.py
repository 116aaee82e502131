from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .customer_sales_plan import APPROVAL_ACTIVITY, MANAGER, month_start


class CustomerSalesPlan(models.Model):
    """The plan's workflow (see the rights table of the model): each step
    checks, moves, then calls its hook."""

    _inherit = "customer.sales.plan"
    # state -> XML id of the subtype its change is tracked with
    _state_subtypes = {
        "approved": "customer_mgmt.mt_sales_plan_approved",
        "closed": "customer_mgmt.mt_sales_plan_closed",
        "draft": "customer_mgmt.mt_sales_plan_reset",
    }

    # ------------------------------------------------------------------
    # Actions: each step checks (_check_can_*), then moves (_do_*), which
    # ends with an empty hook (_action_*) for other modules.
    # ------------------------------------------------------------------
    def action_request_approval(self):
        self._check_can_request_approval()
        self._do_request_approval()
        return True

    def action_approve(self):
        self._check_can_approve()
        self._do_approve()
        return True

    def action_close(self):
        self._check_can_close()
        self._do_close()
        return True

    def action_reset_draft(self):
        self._check_can_reset_draft()
        self._do_reset_draft()
        return True

    # ------------------------------------------------------------------
    # Checks: AccessError for rights, UserError for state
    # ------------------------------------------------------------------
    def _check_can_request_approval(self):
        self.check_access("write")
        self._check_state("draft")

    def _check_can_approve(self):
        if not self._is_plan_manager():
            raise AccessError(
                self.env._("Sales plans %(plans)s: only a sales manager approves them.", plans=self._names())
            )
        self.check_access("write")  # the manager's companies only: the steps write as superuser
        self._check_state("draft")

    def _check_can_close(self):
        if not self._is_plan_manager():
            raise AccessError(
                self.env._("Sales plans %(plans)s: only a sales manager closes them.", plans=self._names())
            )
        self.check_access("write")
        self._check_state("approved")

    def _check_can_reset_draft(self):
        if not self._is_plan_manager():
            raise AccessError(
                self.env._(
                    "Sales plans %(plans)s: only a sales manager resets them to draft.", plans=self._names()
                )
            )
        self.check_access("write")
        self._check_state("approved", "closed")

    def _is_plan_manager(self):
        return self.env.su or self.env.user.has_group(MANAGER)

    def _names(self):
        return ", ".join(self.mapped("display_name"))

    def _check_state(self, *states):
        state_field = self._fields["state"]
        for plan in self:
            if plan.state not in states:
                raise UserError(
                    self.env._(
                        "Sales plan %(plan)s is %(state)s and cannot do that.",
                        plan=plan.display_name,
                        state=state_field.convert_to_export(plan.state, plan),
                    )
                )

    # ------------------------------------------------------------------
    # Doers: write, log, then call the hook
    # ------------------------------------------------------------------
    def _do_request_approval(self):
        # asked once: an open approval activity is enough
        asked = set(
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", self.env.ref(APPROVAL_ACTIVITY).id),
                ]
            )
            .mapped("res_id")
        )
        for plan in self.filtered(lambda p: p.id not in asked):
            plan.sudo().activity_schedule(
                APPROVAL_ACTIVITY,
                summary=self.env._("Approve sales plan %(plan)s", plan=plan.display_name),
                user_id=plan._approval_manager().id,
            )
        self._action_request_approval()

    def _do_approve(self):
        self.sudo().write(
            {"state": "approved", "approver_id": self.env.uid, "approval_date": fields.Datetime.now()}
        )
        self.sudo().activity_feedback(
            [APPROVAL_ACTIVITY],
            feedback=self.env._("Approved by %(user)s", user=self.env.user.name),
            only_automated=False,
        )
        self._action_approve()

    def _do_close(self):
        self.sudo().write({"state": "closed"})
        self._action_close()

    def _do_reset_draft(self):
        self.sudo().write({"state": "draft", "approver_id": False, "approval_date": False})
        self._action_reset_draft()

    # ------------------------------------------------------------------
    # Hooks for other modules, called once the step is done
    # ------------------------------------------------------------------
    def _action_request_approval(self):
        """Hook after a manager is asked to approve draft plans."""

    def _action_approve(self):
        """Hook after plans are approved."""

    def _action_close(self):
        """Hook after approved plans are closed."""

    def _action_reset_draft(self):
        """Hook after plans are reset to draft."""

    def _track_subtype(self, init_values):
        self.ensure_one()
        subtype = "state" in init_values and self._state_subtypes.get(self.state)
        return self.env.ref(subtype) if subtype else super()._track_subtype(init_values)

    def _approval_manager(self):
        """Who is asked to approve the plan: the leader of the salesperson's
        sales team when they manage sales plans, else the company's first
        sales manager, else the requester."""
        self.ensure_one()
        leader = self.user_id.sudo().sale_team_id.user_id
        if leader and leader.has_group(MANAGER) and self.company_id in leader.company_ids:
            return leader
        managers = (
            self.env.ref(MANAGER)
            .sudo()
            .all_user_ids.filtered(lambda user: not user.share and self.company_id in user.company_ids)
            .sorted("id")
        )
        return managers[:1] or self.env.user

    @api.model
    def _create_demo_plans(self, partner_ids, behind_partner_id, draft_partner_ids=()):
        """Demo data: approved plans of the past 12 months and the next 3 for
        ``partner_ids`` (a month's target: the customer's average monthly
        invoicing of the past 12 months plus 10 %, rounded to 1,000); this
        month's plan of ``behind_partner_id`` well above it, so that the
        customer is clearly behind its pro-rata progress; drafts for next
        month of ``draft_partner_ids``."""
        this_month = month_start(fields.Date.context_today(self))
        past_months = [this_month - relativedelta(months=offset) for offset in range(1, 13)]
        # unsaved plans of the past months, only to read what was invoiced (in one query)
        samples = self.browse()
        for partner_id in (*partner_ids, *draft_partner_ids):
            for month in past_months:
                samples |= self.new({"partner_id": partner_id, "month": month})
        invoiced = dict.fromkeys((*partner_ids, *draft_partner_ids), 0.0)
        for index, (amount, _last_year, _ordered) in samples._actual_figures().items():
            invoiced[samples[index].partner_id.id] += amount
        vals_list = []
        for partner_id in partner_ids:
            target = invoiced[partner_id] / len(past_months) * 1.1
            for offset in range(-12, 4):
                amount = target * 1.6 if partner_id == behind_partner_id and offset == 0 else target
                vals_list.append(
                    {
                        "partner_id": partner_id,
                        "month": this_month + relativedelta(months=offset),
                        "amount_target": round(amount, -3),
                    }
                )
        plans = self.create(vals_list)
        plans.action_approve()
        next_month = this_month + relativedelta(months=1)
        drafts = self.create(
            [
                {
                    "partner_id": partner_id,
                    "month": next_month,
                    "amount_target": round(invoiced[partner_id] / 12, -3),
                }
                for partner_id in draft_partner_ids
            ]
        )
        return plans | drafts
