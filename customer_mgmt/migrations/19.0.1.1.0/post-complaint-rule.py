from odoo import SUPERUSER_ID, api

# The salesperson of a complaint's customer is the one of its commercial partner
# (the rule lives in a noupdate block, so an update alone does not change it).
COMPLAINT_RULE_OWN = (
    "['|', '|', ('partner_id.commercial_partner_id.user_id', '=', user.id), "
    "('partner_id.commercial_partner_id.user_id', '=', False), ('user_id', '=', user.id)]"
)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref("customer_mgmt.customer_complaint_rule_own", raise_if_not_found=False)
    if rule:
        rule.domain_force = COMPLAINT_RULE_OWN
