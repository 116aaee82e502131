from . import res_company
from . import res_partner
from . import customer_card
from . import account_move_line
from . import customer_grade
from . import customer_grade_scheme
from . import customer_grade_scheme_line
from . import customer_grade_history
