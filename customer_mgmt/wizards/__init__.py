from . import customer_card_review_wizard
from . import customer_handover_wizard
from . import customer_grade_override_wizard
from . import customer_credit_action_wizard
from . import customer_incident_wizard
from . import customer_sales_plan_generate
