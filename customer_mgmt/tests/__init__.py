from . import test_card
from . import test_classification
from . import test_confidential
from . import test_grading
from . import test_handover
from . import test_security
from . import test_i18n
from . import test_tour
