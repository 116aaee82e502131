from . import customer_document_mixin
from . import res_company
from . import res_config_settings
from . import card
from . import classification
from . import grading
from . import credit
from . import complaint
