from . import customer_warning
from . import customer_warning_rule
from . import res_partner
