from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain

from .customer_complaint import (
    MANAGER,
    OPEN_STATES,
    SERVICE,
)


class CustomerComplaint(models.Model):
    """The complaint's workflow (see the rights table of the model): each
    step checks, moves, then calls its hook; stage deadlines and escalation."""

    _inherit = "customer.complaint"

    # ------------------------------------------------------------------
    # Actions: each step checks (_check_can_*), then moves (_do_*), which
    # ends with an empty hook (_action_*) for other modules.
    # ------------------------------------------------------------------
    def action_accept(self):
        self._check_can_accept()
        self._do_accept()
        return True

    def action_reject(self):
        self._check_can_reject()
        self._do_reject()
        return True

    def action_assign(self):
        self._check_can_assign()
        self._do_assign()
        return True

    def action_analyse(self):
        self._check_can_analyse()
        self._do_analyse()
        return True

    def action_propose(self):
        self._check_can_propose()
        self._do_propose()
        return True

    def action_approve(self):
        self._check_can_approve()
        self._do_approve()
        return True

    def action_send_back(self):
        self._check_can_send_back()
        self._do_send_back()
        return True

    def action_implement(self):
        self._check_can_implement()
        self._do_implement()
        return True

    def action_close(self):
        self._check_can_close()
        self._do_close()
        return True

    def action_cancel(self):
        self._check_can_cancel()
        self._do_cancel()
        return True

    def action_reopen(self):
        self._check_can_reopen()
        self._do_reopen()
        return True

    # ------------------------------------------------------------------
    # Checks: raise AccessError for rights, UserError for state and data
    # ------------------------------------------------------------------
    def _check_can_accept(self):
        self._check_transition(("recorded",), (SERVICE, MANAGER))

    def _check_can_reject(self):
        self._check_transition(("recorded",), (SERVICE, MANAGER), required=("validity_reason",))

    def _check_can_assign(self):
        self._check_transition(("accepted",), (SERVICE, MANAGER), required=("department_id", "user_id"))

    def _check_can_analyse(self):
        self._check_transition(("assigned",), (MANAGER,), responsible=True, required=("root_cause",))

    def _check_can_propose(self):
        self._check_transition(("analysed",), (MANAGER,), responsible=True, required=("solution",))

    def _check_can_approve(self):
        self._check_transition(("proposed",), (MANAGER,))
        # judged again from the complaint, not from the stored flag
        outside = self.filtered(
            lambda c: c._is_return_out_of_window() and not (c.approval_remark or "").strip()
        )
        if outside:
            raise UserError(
                self.env._(
                    "%(complaints)s ask for a return or exchange outside the return window: explain the "
                    "exception in the approval remark.",
                    complaints=", ".join(outside.mapped("name")),
                )
            )

    def _check_can_send_back(self):
        self._check_transition(("proposed",), (MANAGER,), required=("approval_remark",))

    def _check_can_implement(self):
        self._check_transition(
            ("approved",), (MANAGER,), responsible=True, required=("implementation_notes",)
        )

    def _check_can_close(self):
        self._check_transition(("implemented",), (SERVICE, MANAGER), required=("evaluation", "satisfaction"))

    def _check_can_cancel(self):
        self._check_transition(
            [s for s, _label in OPEN_STATES], (SERVICE, MANAGER), required=("cancel_reason",)
        )

    def _check_can_reopen(self):
        self._check_transition(("closed",), (MANAGER,), required=("reopen_reason",))

    def _check_transition(self, from_states, groups, responsible=False, required=()):
        """Refuse the move unless every complaint is in one of ``from_states``,
        the user is in one of ``groups`` (or is the complaint's responsible when
        ``responsible``) and the ``required`` fields are filled."""
        state_field = self._fields["state"]
        for complaint in self:
            state = state_field.convert_to_export(complaint.state, complaint)
            if complaint.state not in from_states:
                raise UserError(
                    self.env._(
                        "Complaint %(name)s is %(state)s: this step needs it to be %(expected)s.",
                        name=complaint.name,
                        state=state,
                        expected=" / ".join(state_field.convert_to_export(s, complaint) for s in from_states),
                    )
                )
            allowed = any(self.env.user.has_group(group) for group in groups) or (
                responsible and complaint.user_id == self.env.user
            )
            if not allowed:
                raise AccessError(
                    self.env._(
                        "You are not allowed to move complaint %(name)s from %(state)s.",
                        name=complaint.name,
                        state=state,
                    )
                )
            missing = [
                complaint._fields[fname].get_description(self.env)["string"]
                for fname in required
                if not (complaint[fname].strip() if isinstance(complaint[fname], str) else complaint[fname])
            ]
            if missing:
                raise UserError(
                    self.env._(
                        "Complaint %(name)s: fill in %(fields)s first.",
                        name=complaint.name,
                        fields=", ".join(missing),
                    )
                )

    # ------------------------------------------------------------------
    # Doers: write, log, tell the customer, then call the hook
    # ------------------------------------------------------------------
    def _do_accept(self):
        self._move_to("accepted")
        self._notify_customer("customer_mgmt.mail_template_complaint_accepted")
        self._action_accept()

    def _do_reject(self):
        self._move_to("rejected")
        self._notify_customer("customer_mgmt.mail_template_complaint_rejected")
        self._action_reject()

    def _do_assign(self):
        self._move_to("assigned")
        self._schedule_analysis()
        self._action_assign()

    def _do_analyse(self):
        self._move_to("analysed")
        self._feedback_analysis()
        self._action_analyse()

    def _do_propose(self):
        self._move_to("proposed")
        self._action_propose()

    def _do_approve(self):
        self._move_to("approved", approver_id=self.env.uid)
        self._action_approve()

    def _do_send_back(self):
        self._move_to("analysed")
        self._action_send_back()

    def _do_implement(self):
        self._move_to("implemented")
        self._action_implement()

    def _do_close(self):
        self._move_to("closed", closed_date=fields.Datetime.now())
        self._notify_customer("customer_mgmt.mail_template_complaint_closed")
        self._action_close()

    def _do_cancel(self):
        # the responsible user no longer has a complaint to analyse
        for complaint in self.filtered("user_id"):
            complaint.sudo().activity_unlink(["mail.mail_activity_data_todo"], user_id=complaint.user_id.id)
        self._move_to("cancelled")
        self._action_cancel()

    def _do_reopen(self):
        self._move_to("assigned", closed_date=False)
        self._schedule_analysis()
        self._action_reopen()

    # ------------------------------------------------------------------
    # Hooks for other modules, called once the step is done
    # ------------------------------------------------------------------
    def _action_accept(self):
        """Hook after complaints are accepted."""

    def _action_reject(self):
        """Hook after complaints are rejected."""

    def _action_assign(self):
        """Hook after complaints are assigned to a responsible user."""

    def _action_analyse(self):
        """Hook after the root cause of complaints is analysed."""

    def _action_propose(self):
        """Hook after a solution is proposed for complaints."""

    def _action_approve(self):
        """Hook after the solution of complaints is approved."""

    def _action_send_back(self):
        """Hook after the solution of complaints is sent back for analysis."""

    def _action_implement(self):
        """Hook after the solution of complaints is implemented."""

    def _action_close(self):
        """Hook after complaints are closed."""

    def _action_cancel(self):
        """Hook after complaints are cancelled."""

    def _action_reopen(self):
        """Hook after complaints are reopened."""

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _move_to(self, state, **values):
        self.sudo().write({"state": state, "escalated": False, **values})
        self._set_stage_deadline()

    def _schedule_analysis(self):
        """The assignment: an activity for the responsible user, done when the
        root cause is analysed."""
        for complaint in self:
            complaint.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=complaint.user_id.id,
                date_deadline=complaint.deadline and complaint.deadline.date(),
                summary=self.env._("Analyse complaint %(name)s", name=complaint.name),
            )

    def _feedback_analysis(self):
        for complaint in self:
            complaint.sudo().activity_feedback(["mail.mail_activity_data_todo"], user_id=complaint.user_id.id)

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "state" not in init_values:
            return super()._track_subtype(init_values)
        match self.state:
            case "accepted":
                return self.env.ref("customer_mgmt.mt_complaint_accepted")
            case "rejected":
                return self.env.ref("customer_mgmt.mt_complaint_rejected")
            case "closed":
                return self.env.ref("customer_mgmt.mt_complaint_closed")
            case "cancelled":
                return self.env.ref("customer_mgmt.mt_complaint_cancelled")
            case "assigned" if init_values["state"] == "closed":
                return self.env.ref("customer_mgmt.mt_complaint_reopened")
            case _:
                return super()._track_subtype(init_values)

    def _stage_hours(self):
        """{complaint id: hours allowed for its current stage at its priority},
        0 when the company has no rule for them."""
        if not self:
            return {}
        rules = {
            (rule.company_id, rule.state, rule.priority): rule.hours
            for rule in self.env["customer.complaint.deadline"]
            .sudo()
            .search([("company_id", "in", self.company_id.ids)])
        }
        return {
            complaint.id: rules.get((complaint.company_id, complaint.state, complaint.priority), 0)
            for complaint in self
        }

    def _set_stage_deadline(self):
        """The deadline of a stage that starts now."""
        stage_hours = self._stage_hours()
        now = fields.Datetime.now()
        for complaint in self:
            hours = stage_hours[complaint.id]
            complaint.sudo().deadline = hours and now + timedelta(hours=hours)

    def _move_stage_deadline(self, previous_hours):
        """The priority changed: the current stage keeps its start (its
        deadline less the hours of the previous priority; now when it had no
        deadline) and gets the hours of the new priority. An escalation of the
        stage stays."""
        stage_hours = self._stage_hours()
        now = fields.Datetime.now()
        for complaint in self:
            previous, hours = previous_hours[complaint.id], stage_hours[complaint.id]
            start = complaint.deadline - timedelta(hours=previous) if complaint.deadline and previous else now
            complaint.sudo().deadline = hours and start + timedelta(hours=hours)

    def _notify_customer(self, template_xmlid):
        """E-mail the customer from the chatter, in the customer's language."""
        template = self.env.ref(template_xmlid)
        for complaint in self:
            complaint.message_post_with_source(template, subtype_xmlid="mail.mt_comment")

    def _escalation_managers(self):
        """The manager of each complaint's responsible user: their employee's
        manager, else their department's manager; else the leader of the
        sales team of the customer's salesperson."""
        users = self.user_id
        employees = self.env["hr.employee"].sudo().search([("user_id", "in", users.ids)])
        manager_of = {}
        for employee in employees:
            manager = employee.parent_id.user_id or employee.department_id.manager_id.user_id
            if manager and manager != employee.user_id:
                manager_of[employee.user_id] = manager
        return {
            complaint: manager_of.get(complaint.user_id)
            or complaint.department_id.manager_id.user_id
            or complaint.partner_id.user_id.sale_team_id.user_id
            for complaint in self
        }

    def _escalate(self):
        managers = self._escalation_managers()
        sales_managers = self.env.ref(MANAGER).sudo().user_ids.filtered(lambda u: not u.share)
        for complaint, manager in managers.items():
            company = complaint.company_id
            manager = (
                manager or sales_managers.filtered(lambda u, company=company: company in u.company_ids)[:1]
            )
            complaint.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(manager or self.env.user).id,
                summary=self.env._("Complaint %(name)s is overdue", name=complaint.name),
                note=self.env._(
                    "The %(stage)s stage of complaint %(name)s from %(customer)s passed its deadline.",
                    stage=complaint._fields["state"].convert_to_export(complaint.state, complaint),
                    name=complaint.name,
                    customer=complaint.partner_id.display_name,
                ),
            )
        self.sudo().write({"escalated": True})

    @api.model
    def _cron_escalate_overdue(self, batch_size=200):
        """Escalate, once per stage, the complaints past their stage deadline."""
        domain = (
            Domain("state", "in", [s for s, _label in OPEN_STATES])
            & Domain("deadline", "<", fields.Datetime.now())
            & Domain("escalated", "=", False)
        )
        while complaints := self.search(domain, limit=batch_size, order="deadline"):
            complaints._escalate()
            if not self.env["ir.cron"]._commit_progress(len(complaints), remaining=self.search_count(domain)):
                break
