from . import account_move
from . import customer_sales_plan
from . import customer_sales_plan_workflow
from . import customer_sales_plan_line
from . import res_partner
from . import customer_warning_rule
