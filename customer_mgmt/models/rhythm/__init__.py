from . import res_partner
from . import customer_warning_rule
