from . import res_company
from . import res_partner
from . import customer_complaint_category
from . import customer_complaint
from . import customer_complaint_workflow
from . import customer_complaint_deadline
from . import customer_warning_rule
