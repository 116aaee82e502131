from . import customer_support_type
from . import customer_support_activity
from . import customer_support_activity_workflow
from . import customer_support_cost
from . import res_partner
from . import customer_warning_rule
