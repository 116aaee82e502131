from odoo.tools import SQL


def uninstall_hook(env):
    """Odoo drops the module's columns and indexes, not its database function."""
    env.cr.execute(SQL("DROP FUNCTION IF EXISTS customer_mgmt_credit_check"))
