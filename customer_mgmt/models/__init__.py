from . import customer_document_mixin
from . import res_company
from . import res_config_settings

# before the concerns, which plug their warning types into its rules
from . import warning
from . import card
from . import classification
from . import grading
from . import credit
from . import complaint
from . import rhythm
from . import planning
from . import support
