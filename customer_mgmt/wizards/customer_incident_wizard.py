from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import AccessError

from ..models.warning.customer_warning import INCIDENT_KINDS, LIVE_STATES, MANAGER

SALESPERSON = "customer_mgmt.group_customer_user"


class CustomerIncidentWizard(models.TransientModel):
    """A salesperson reports a major incident at a customer (客户重大变故预警):
    a high warning at once, an activity for each sales manager and credit
    controller of the company, who can hold the customer from the warning."""

    _name = "customer.incident.wizard"
    _description = "Report a Major Incident"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    incident_kind = fields.Selection(INCIDENT_KINDS, string="Incident", required=True)
    description = fields.Text(required=True, help="What happened, when, and what it means for our business.")

    def action_report(self):
        self.ensure_one()
        if not (self.env.su or self.env.user.has_group(SALESPERSON)):
            raise AccessError(self.env._("Only customer management users may report a major incident."))
        customer = self.partner_id.commercial_partner_id
        if customer.user_id not in (self.env.user, self.env["res.users"]) and not (
            self.env.su or self.env.user.has_group(MANAGER)
        ):
            raise AccessError(
                self.env._(
                    "%(customer)s is kept by %(salesperson)s: report the incident to them or to a sales "
                    "manager.",
                    customer=customer.display_name,
                    salesperson=customer.user_id.name,
                )
            )
        company = self.env.company
        warnings = self.env["customer.warning"].sudo()
        warning = warnings.search(
            [
                ("partner_id", "=", customer.id),
                ("company_id", "=", company.id),
                ("warning_type", "=", "major_incident"),
                ("state", "in", LIVE_STATES),
            ],
            limit=1,
        )
        report = self.env._(
            "%(kind)s reported by %(user)s: %(description)s",
            kind=dict(self._fields["incident_kind"]._description_selection(self.env))[self.incident_kind],
            user=self.env.user.name,
            description=self.description,
        )
        if warning:
            # the open warning of the customer takes the new report
            warning.message_post(body=report, author_id=self.env.user.partner_id.id)
        else:
            rule = (
                self.env["customer.warning.rule"]
                .sudo()
                .search(
                    [("warning_type", "=", "major_incident"), ("company_id", "in", (company.id, False))],
                    order="company_id",
                    limit=1,
                )
            )
            warning = warnings.create(
                {
                    "partner_id": customer.id,
                    "company_id": company.id,
                    "rule_id": rule.id,
                    "warning_type": "major_incident",
                    "severity": "high",
                    "incident_kind": self.incident_kind,
                    "description": self.description,
                    "user_id": (customer.user_id or self.env.user).id,
                    "date_deadline": fields.Date.context_today(self)
                    + timedelta(days=rule.deadline_days or 1),
                }
            )
            warning.message_post(body=report, author_id=self.env.user.partner_id.id)
        notified = self.env.ref(MANAGER).sudo().all_user_ids | company._credit_controllers()
        for user in notified.filtered(lambda u: u.active and not u.share and company in u.company_ids):
            in_user_lang = warning.with_context(lang=user.lang or self.env.lang)
            in_user_lang.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=in_user_lang.env._(
                    "Major incident at %(customer)s: decide on credit and follow-up", customer=customer.name
                ),
                note=self.description,
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.warning",
            "res_id": warning.id,
            "view_mode": "form",
        }
