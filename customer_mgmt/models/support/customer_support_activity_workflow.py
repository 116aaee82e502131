from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from .customer_support_activity import APPROVED_STATES, MANAGER

APPROVAL_ACTIVITY = "customer_mgmt.mail_activity_type_support_approval"


class CustomerSupportActivity(models.Model):
    """The support activity's workflow (see the rights table of the model):
    each step checks, moves, then calls its hook."""

    _inherit = "customer.support.activity"

    # ------------------------------------------------------------------
    # Actions: each step checks (_check_can_*), then moves (_do_*), which
    # ends with an empty hook (_action_*) for other modules.
    # ------------------------------------------------------------------
    def action_submit(self):
        self._check_can_submit()
        self._do_submit()
        return True

    def action_approve(self):
        self._check_can_approve()
        self._do_approve()
        return True

    def action_refuse(self):
        self._check_can_refuse()
        self._do_refuse()
        return True

    def action_done(self):
        self._check_can_done()
        self._do_done()
        return True

    def action_evaluate(self):
        self._check_can_evaluate()
        self._do_evaluate()
        return True

    def action_cancel(self):
        self._check_can_cancel()
        self._do_cancel()
        return True

    # ------------------------------------------------------------------
    # Checks: raise AccessError for rights, UserError for state and data
    # ------------------------------------------------------------------
    def _check_can_submit(self):
        self._check_transition(("draft",), required=("plan",))

    def _check_can_approve(self):
        self._check_transition(("submitted",), manager=True)

    def _check_can_refuse(self):
        self._check_transition(("submitted",), manager=True, required=("refuse_reason",))

    def _check_can_done(self):
        self._check_transition(("approved",))

    def _check_can_evaluate(self):
        self._check_transition(("done",), required=("evaluation", "rating"))

    def _check_can_cancel(self):
        self._check_transition(("draft", "submitted", "approved", "done"))
        approved = self.filtered(lambda a: a.state in APPROVED_STATES)
        if approved and not self.env.user.has_group(MANAGER):
            raise AccessError(
                self.env._(
                    "Support activities %(names)s are approved: only a sales manager cancels them.",
                    names=", ".join(approved.mapped("name")),
                )
            )

    def _check_transition(self, from_states, manager=False, required=()):
        """Refuse the move unless the user may change every activity (a
        manager when ``manager``), each is in one of ``from_states`` and has
        the ``required`` fields filled."""
        self.check_access("write")
        state_field = self._fields["state"]
        for activity in self:
            state = state_field.convert_to_export(activity.state, activity)
            if activity.state not in from_states:
                raise UserError(
                    self.env._(
                        "Support activity %(name)s is %(state)s: this step needs it to be %(expected)s.",
                        name=activity.name,
                        state=state,
                        expected=" / ".join(state_field.convert_to_export(s, activity) for s in from_states),
                    )
                )
            if manager and not self.env.user.has_group(MANAGER):
                raise AccessError(
                    self.env._(
                        "Support activity %(name)s is %(state)s: only a sales manager decides on it.",
                        name=activity.name,
                        state=state,
                    )
                )
            missing = [
                activity._fields[fname].get_description(self.env)["string"]
                for fname in required
                if not activity._is_filled(fname)
            ]
            if missing:
                raise UserError(
                    self.env._(
                        "Support activity %(name)s: fill in %(fields)s first.",
                        name=activity.name,
                        fields=", ".join(missing),
                    )
                )

    def _is_filled(self, fname):
        value = self[fname]
        if fname == "rating":
            return value not in (False, "0")
        return bool(value.strip() if isinstance(value, str) else value)

    # ------------------------------------------------------------------
    # Doers: write, log, then call the hook
    # ------------------------------------------------------------------
    def _do_submit(self):
        # a new submission needs a new decision: the reason of a former refusal goes
        self._move_to("submitted", refuse_reason=False)
        self._schedule_approval()
        self._action_submit()

    def _do_approve(self):
        self._move_to("approved", approver_id=self.env.uid, approval_date=fields.Datetime.now())
        self._feedback_approval(self.env._("Approved by %(user)s", user=self.env.user.name))
        self._action_approve()

    def _do_refuse(self):
        self._feedback_approval(self.env._("Refused by %(user)s", user=self.env.user.name))
        self._move_to("draft")
        for activity in self:
            # in the salesperson's language: the message is for them
            activity.with_context(lang=activity.user_id.lang or self.env.lang).message_post_with_source(
                "customer_mgmt.customer_support_activity_message_refused",
                subtype_xmlid="mail.mt_comment",
            )
        self._action_refuse()

    def _do_done(self):
        self._move_to("done")
        self._action_done()

    def _do_evaluate(self):
        self._move_to("evaluated")
        self._action_evaluate()

    def _do_cancel(self):
        # nobody has to decide on a cancelled plan any more
        self.sudo().activity_unlink([APPROVAL_ACTIVITY])
        self._move_to("cancelled")
        self._action_cancel()

    # ------------------------------------------------------------------
    # Hooks for other modules, called once the step is done
    # ------------------------------------------------------------------
    def _action_submit(self):
        """Hook after support activities are submitted for approval."""

    def _action_approve(self):
        """Hook after the plan and budget of support activities are approved."""

    def _action_refuse(self):
        """Hook after support activities are refused back to draft."""

    def _action_done(self):
        """Hook after support activities are carried out."""

    def _action_evaluate(self):
        """Hook after the effect of support activities is evaluated."""

    def _action_cancel(self):
        """Hook after support activities are cancelled."""

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _move_to(self, state, **values):
        self.sudo().write({"state": state, **values})

    def _approvers(self):
        """The sales managers of the activity's company."""
        self.ensure_one()
        return (
            self.env.ref(MANAGER)
            .sudo()
            .all_user_ids.filtered(lambda user: not user.share and self.company_id in user.company_ids)
        )

    def _schedule_approval(self):
        """The approval: an activity for each manager of the company, done when
        one of them decides."""
        for activity in self:
            for user in activity._approvers():
                activity.sudo().activity_schedule(
                    APPROVAL_ACTIVITY,
                    user_id=user.id,
                    summary=self.env._(
                        "Approve support for %(customer)s", customer=activity.partner_id.display_name
                    ),
                )

    def _feedback_approval(self, feedback):
        self.sudo().activity_feedback([APPROVAL_ACTIVITY], feedback=feedback)

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "state" not in init_values:
            return super()._track_subtype(init_values)
        match self.state:
            case "submitted":
                return self.env.ref("customer_mgmt.mt_support_activity_submitted")
            case "approved":
                return self.env.ref("customer_mgmt.mt_support_activity_approved")
            case "draft" if init_values["state"] == "submitted":
                return self.env.ref("customer_mgmt.mt_support_activity_refused")
            case "evaluated":
                return self.env.ref("customer_mgmt.mt_support_activity_evaluated")
            case "cancelled":
                return self.env.ref("customer_mgmt.mt_support_activity_cancelled")
            case _:
                return super()._track_subtype(init_values)
