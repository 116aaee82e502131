from odoo.tools import SQL

from .models.classification.res_partner import TRADE_MOVES_INDEX
from .models.credit.credit_exposure import CHECK_FUNCTION, EXPOSURE_INDEXES, RETIRED_INDEXES


def uninstall_hook(env):
    """Odoo drops the module's columns, not the credit check's function nor
    the indexes it created on other modules' tables."""
    env.cr.execute(SQL("DROP FUNCTION IF EXISTS %s", SQL.identifier(CHECK_FUNCTION)))
    for name, _table, _definition in (*EXPOSURE_INDEXES, TRADE_MOVES_INDEX):
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
    for name in RETIRED_INDEXES:
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
