from odoo import fields, models


class CustomerCreditWorkflowMixin(models.AbstractModel):
    """A credit document that moves through states (scorecards, applications):
    each model gives its states; a change of state is tracked with the
    subtype the model maps it to."""

    _name = "customer.credit.workflow.mixin"
    _description = "Customer Credit Document With States"
    _inherit = ["customer.credit.mixin"]

    # each model gives its states: ``state = fields.Selection(ITS_STATES)`` (a
    # list here would make that an override Odoo warns about)
    state = fields.Selection(
        selection=lambda self: [("draft", "Draft")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )

    # state -> XML id of the subtype a change to it is tracked with (mail.thread)
    _state_subtypes = {}

    def _track_subtype(self, init_values):
        self.ensure_one()
        subtype = "state" in init_values and self._state_subtypes.get(self.state)
        return self.env.ref(subtype) if subtype else super()._track_subtype(init_values)
